import AutofunnelTestSupport
import Foundation

/// A `multipart/form-data` body as a browser or `curl -F` sends it, for the import tests.
struct ImportUploadForm {
    struct Part {
        let name: String
        let fileName: String?
        let text: String
    }
    var parts: [Part] = []
    let boundary = "----autofunnel-test-\(UUID().uuidString)"

    /// A file part.
    mutating func file(_ name: String, _ fileName: String, _ text: String) { parts.append(Part(name: name, fileName: fileName, text: text)) }
    /// A plain field.
    mutating func field(_ name: String, _ value: String) { parts.append(Part(name: name, fileName: nil, text: value)) }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var body: String {
        var out = ""
        for part in parts {
            out += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { out += "; filename=\"\(fileName)\"\r\nContent-Type: text/csv" }
            out += "\r\n\r\n\(part.text)\r\n"
        }
        return out + "--\(boundary)--\r\n"
    }

    /// Sends the form.
    func post(_ api: APITester, _ path: String, headers: [String: String] = [:]) async throws -> APIResponse {
        try await api.request(.post, path, raw: body, headers: headers.merging(["Content-Type": contentType]) { a, _ in a })
    }

    /// Our own export's columns: no mapping needed. Row 4's amount is no amount, so that row is refused.
    static let deals = """
        id,title,amount,currency,stage,contact_name,contact_phones
        A-1,Шкаф-купе,48500,RUB,new_lead,Анна,+7 912 345-67-89
        A-2,Кухня,120000,RUB,new_lead,Борис,+7 912 000-00-01
        A-3,Стол,много,RUB,new_lead,Вера,+7 912 000-00-02

        """

    /// A form with the deals file and the given flags.
    static func deals(_ flags: [String: String] = [:], text: String = deals) -> ImportUploadForm {
        var form = ImportUploadForm()
        form.file("file", "deals.csv", text)
        for (name, value) in flags.sorted(by: { $0.key < $1.key }) { form.field(name, value) }
        return form
    }
}

extension APITester {
    /// Polls an import job until it has ended. The 300 s are a guard against a hung job, not a margin: the whole
    /// suite runs its tests at once on two cores, and a small job has been seen to take over 20 s there.
    func endedImport(_ id: Int64) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let job = try await request(.get, "/api/v1/imports/\(id)").object
            if let status = job["status"] as? String, status == "finished" || status == "failed" { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ImportWaitTimedOut(id: id)
    }
}

struct ImportWaitTimedOut: Error {
    let id: Int64
}

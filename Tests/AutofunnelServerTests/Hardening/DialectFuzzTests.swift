import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelTestSupport
import Foundation
import PropertyBased
import Synchronization
import Testing

/// The dialects' routers fuzzed through the whole application: any method name with any parameters, as a query, a
/// form or a JSON body, answers in the dialect's own format and never with a 5xx.
@Suite("Hardening: the dialects' routers answer any call")
struct DialectFuzzTests {
    static let count = Int(ProcessInfo.processInfo.environment["FUZZ_COUNT"] ?? "") ?? 60

    static let methodPieces = [
        "crm.", "deal", "contact", "status", "category", ".list", ".get", ".add", ".update", ".delete", ".fields", "batch", ".json",
        "tasks.task.", "complete", "activity", "%00", "..", "ы", "", "dealcategory.stage",
    ]
    static let paramPieces = [
        "ID", "id", "=", "&", "[", "]", "[]", "fields", "filter", "select", "order", "cmd", "halt", "STAGE_ID", "OPPORTUNITY", "|",
        "9223372036854775807", "-1", "1e308", "%5B", "%", "+", "start", "$result[a]", "UF_CRM_1", "C1:NEW", "batch.json?x=1",
    ]

    static func joined(_ pieces: [String], _ length: ClosedRange<Int>) -> Generator<String, AnySequence<Any>> {
        Gen<String?>.element(of: pieces).array(of: length).map { $0.compactMap { $0 }.joined() }.eraseToAny()
    }

    @Test func bitrix24AnswersAnyMethodWithAnyParameters() async throws {
        try await TestServices.with { t in
            let token = try await t.token(for: t.admin)
            try await t.withAPI(anonymous: true) { api in
                let prefix = "/rest/\(t.admin.id)/\(token)/"
                let reached = Mutex(0)
                await propertyCheck(count: Self.count, input: Self.joined(Self.methodPieces, 1...4), Self.joined(Self.paramPieces, 0...30)) {
                    method, params in
                    let encoded = method.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "x"
                    for (path, raw) in [(prefix + encoded + "?" + params, nil), (prefix + encoded, params)] as [(String, String?)] {
                        let answer = try? await api.request(.post, path, raw: raw, headers: ["content-type": "application/x-www-form-urlencoded"])
                        #expect(
                            answer.map { $0.status < 500 } ?? false, "\(path) \(raw ?? ""): \(answer?.status ?? 0) \(answer?.text.prefix(200) ?? "")")
                        if let answer, answer.status != 401 { reached.withLock { $0 += 1 } }
                    }
                }
                // The credential works: the calls reached the router, not only the sign-in check.
                #expect(reached.withLock { $0 } > 0)
                let listed = try await api.request(.get, prefix + "crm.deal.list")
                #expect(listed.status == 200)
            }
        }
    }

    @Test func amoCRMAnswersAnyPathWithAnyQuery() async throws {
        try await TestServices.with { t in
            let token = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "amo", scope: .write, days: 30, by: nil).secret
            try await t.withAPI(anonymous: true) { api in
                let paths = ["leads", "contacts", "tasks", "users", "leads/pipelines", "leads/1/notes", "leads/custom_fields", "9223372036854775807"]
                let path = Gen<String?>.element(of: paths).map { $0 ?? "leads" }
                let leads = try await api.request(.get, "/api/v4/leads", headers: ["Authorization": "Bearer \(token)"])
                #expect(leads.status < 300)
                await propertyCheck(count: Self.count, input: path, Self.joined(Self.paramPieces + ["page", "limit", "with"], 0...30)) {
                    resource, query in
                    for method in ["GET", "POST", "PATCH"] {
                        let answer = try? await api.request(
                            .init(method)!, "/api/v4/\(resource)?\(query)", raw: method == "GET" ? nil : "[{\"name\": \"\(query.prefix(20))\"}]",
                            headers: ["Authorization": "Bearer \(token)"])
                        #expect(answer.map { $0.status < 500 } ?? false, "\(method) \(resource)?\(query): \(answer?.status ?? 0)")
                    }
                }
            }
        }
    }
}

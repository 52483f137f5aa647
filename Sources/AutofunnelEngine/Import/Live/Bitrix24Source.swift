import AutofunnelCore
import Foundation

/// Reads a Bitrix24 portal through an inbound webhook into page files, then into a `LiveSnapshot`: categories and
/// their stages, users, deals, contacts, companies, `crm.stagehistory.list` (deals) as the history, the deals'
/// activities (`crm.activity.list`) as their notes and the tasks (`tasks.task.list`) on deals. Lists come 50
/// a page by `start`: the first page says the `total`, and the pages still missing are asked for 50 at a time in one
/// `batch` (each page is then stored as a file of its own, as if fetched alone).
public struct Bitrix24Source: Sendable {
    /// `https://example.bitrix24.ru/rest/1/KEY/`.
    public let webhook: String
    /// Requests per second: Bitrix24's bucket drains 2 a second.
    public static let rate = 2.0
    /// A small burst, well under the 50 a portal lets through at once.
    public static let burst = 2.0
    /// Bitrix24's page size and the most commands in one `batch`.
    public static let pageSize = 50

    /// A source at the webhook address (`https://portal/rest/USER/KEY/`).
    public init(webhook: String) throws {
        var url = webhook.trimmingCharacters(in: .whitespaces)
        if !url.hasSuffix("/") { url += "/" }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil,
            parsed.path.contains("/rest/")
        else {
            throw LiveImportError.refused("--webhook must be the inbound webhook's address, e.g. https://example.bitrix24.ru/rest/1/KEY/")
        }
        self.webhook = url
    }

    /// The address with the webhook's key masked, for messages.
    public static func masked(_ url: String) -> String {
        guard let range = url.range(of: "/rest/") else { return url }
        let rest = url[range.upperBound...].split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard rest.count >= 2 else { return url }
        return String(url[..<range.upperBound]) + rest[0] + "/***" + (rest.count > 2 ? "/" + rest[2] : "")
    }

    /// Fetches everything (pages already in the fetcher's folder are read from there) and maps it.
    public func fetch(_ fetcher: LiveFetcher, progress: AmoCRMSource.Progress = { _ in }) async throws -> LiveSnapshot {
        var snapshot = LiveSnapshot()
        progress("pipelines")
        let categoryPage = try await fetcher.page("categories", call("crm.category.list", ["entityTypeId": .number(2)]))
        let categories = Bitrix24Mapping.categories(try result(categoryPage, method: "crm.category.list"))
        func stageFilter(_ category: String) -> [String: JSONValue] {
            ["filter": .object(["ENTITY_ID": .string(category == "0" ? "DEAL_STAGE" : "DEAL_STAGE_" + category)])]
        }
        var stageCommands: [(String, String)] = []
        for c in categories {
            guard !(await fetcher.has("stages-" + c.id)) else { continue }
            stageCommands.append(("stages-" + c.id, "crm.status.list?" + Self.query(stageFilter(c.id))))
        }
        try await batch(fetcher, stageCommands)
        for c in categories {
            let page = try await fetcher.page("stages-" + c.id, call("crm.status.list", stageFilter(c.id)))
            let statuses = Bitrix24Mapping.statuses(try result(page, method: "crm.status.list").lenientItems)
            snapshot.pipelines.append(RemotePipeline(id: c.id, name: c.name, statuses: statuses))
        }
        progress("users")
        snapshot.users = Bitrix24Mapping.users(try await list(fetcher, "users", "user.get", [:]))
        let byID: [String: JSONValue] = ["order": .object(["ID": .string("ASC")])]
        progress("deals")
        snapshot.deals = Bitrix24Mapping.deals(
            try await list(fetcher, "deals", "crm.deal.list", byID.merging(["select": .array([.string("*")])]) { a, _ in a }))
        progress("contacts")
        let contactSelect: JSONValue = .array([.string("*"), .string("PHONE"), .string("EMAIL")])
        snapshot.contacts = Bitrix24Mapping.contacts(
            try await list(fetcher, "contacts", "crm.contact.list", byID.merging(["select": contactSelect]) { a, _ in a }))
        progress("companies")
        snapshot.companies = Bitrix24Mapping.companies(
            try await list(fetcher, "companies", "crm.company.list", byID.merging(["select": .array([.string("*")])]) { a, _ in a }))
        progress("history")
        snapshot.moves = Bitrix24Mapping.moves(
            try await list(fetcher, "history", "crm.stagehistory.list", byID.merging(["entityTypeId": .number(2)]) { a, _ in a }))
        progress("activities")
        let activitySelect = [
            "ID", "OWNER_TYPE_ID", "OWNER_ID", "TYPE_ID", "PROVIDER_ID", "SUBJECT", "DESCRIPTION", "DESCRIPTION_TYPE", "CREATED", "AUTHOR_ID",
            "RESPONSIBLE_ID",
        ]
        (snapshot.notes, snapshot.skippedNotes) = Bitrix24Mapping.notes(
            try await list(
                fetcher, "activities", "crm.activity.list",
                byID.merging(["filter": .object(["OWNER_TYPE_ID": .number(2)]), "select": .array(activitySelect.map(JSONValue.string))]) { a, _ in a
                }))
        progress("tasks")
        let taskSelect = [
            "ID", "TITLE", "DESCRIPTION", "RESPONSIBLE_ID", "CREATED_BY", "CREATED_DATE", "DEADLINE", "STATUS", "CLOSED_DATE", "UF_CRM_TASK",
        ]
        (snapshot.tasks, snapshot.skippedTasks) = Bitrix24Mapping.tasks(
            try await list(
                fetcher, "tasks", "tasks.task.list",
                ["order": .object(["ID": .string("asc")]), "select": .array(taskSelect.map(JSONValue.string))]))
        return snapshot
    }

    /// A `POST {webhook}{method}.json` with `params` as its JSON body.
    func call(_ method: String, _ params: [String: JSONValue]) -> LiveTransport.Request {
        let body = (try? JSONEncoder().encode(JSONValue.object(params))) ?? Data("{}".utf8)
        return LiveTransport.Request(
            method: "POST", url: webhook + method + ".json", headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: body)
    }

    /// The `result` of a page; a page with `error` is refused with its text.
    func result(_ page: Data?, method: String) throws -> JSONValue {
        let url = Self.masked(webhook + method)
        guard let page else { return .null }
        let json = try LivePaging.json(page, url: url)
        if let error = json[lenient: "error"]?.lenientText {
            throw LiveImportError.status(url: url, status: 200, detail: error + " " + (json[lenient: "error_description"]?.lenientText ?? ""))
        }
        return json[lenient: "result"] ?? .null
    }

    /// Every item of a list method, 50 a page: the first page alone (it says the total), the missing others by `batch`.
    func list(_ fetcher: LiveFetcher, _ name: String, _ method: String, _ params: [String: JSONValue]) async throws -> [JSONValue] {
        func pageName(_ start: Int) -> String { LivePaging.name(name, start) }
        let url = Self.masked(webhook + method)
        let first = try await fetcher.page(pageName(0), call(method, params.merging(["start": .number(0)]) { _, b in b }))
        let total = try first.map { try LivePaging.json($0, url: url)[lenient: "total"]?.lenientInt ?? 0 } ?? 0
        guard (0...Int64(LivePaging.maxItems)).contains(total) else {
            throw LiveImportError.malformed(url: url, reason: "a total of \(total) records is out of range")
        }
        let starts = Array(stride(from: Self.pageSize, to: Int(total), by: Self.pageSize))
        var missing: [(String, String)] = []
        for start in starts {
            guard !(await fetcher.has(pageName(start))) else { continue }
            missing.append((pageName(start), method + "?" + Self.query(params.merging(["start": .number(Double(start))]) { _, b in b })))
        }
        try await batch(fetcher, missing)
        var items: [JSONValue] = []
        for start in [0] + starts {
            let page = try await fetcher.page(pageName(start), call(method, params.merging(["start": .number(Double(start))]) { _, b in b }))
            let r = try result(page, method: method)
            items += (r[lenient: "items"] ?? r[lenient: "tasks"] ?? r).lenientItems
        }
        return items
    }

    /// Fetches `commands` (page name, `method?query`) by `batch`, 50 at a time, and stores each answer as its page.
    func batch(_ fetcher: LiveFetcher, _ commands: [(String, String)]) async throws {
        let url = Self.masked(webhook + "batch")
        for chunkStart in stride(from: 0, to: commands.count, by: Self.pageSize) {
            let chunk = commands[chunkStart..<min(commands.count, chunkStart + Self.pageSize)]
            var cmd: [String: JSONValue] = [:]
            for (label, command) in chunk { cmd[label] = .string(command) }
            guard let data = try await fetcher.fetch(call("batch", ["halt": .number(0), "cmd": .object(cmd)])) else {
                throw LiveImportError.malformed(url: url, reason: "an empty answer to batch")
            }
            let inner = try result(data, method: "batch")
            let results = inner[lenient: "result"] ?? .null
            for (label, _) in chunk {
                if let error = inner[lenient: "result_error"]?[lenient: label], error != .null {
                    let text = error[lenient: "error_description"]?.lenientText ?? error[lenient: "error"]?.lenientText ?? "\(error)"
                    throw LiveImportError.status(url: url, status: 200, detail: "\(label): \(text)")
                }
                guard let r = results[lenient: label] else { throw LiveImportError.malformed(url: url, reason: "no answer for \(label)") }
                var page: [String: JSONValue] = ["result": r]
                if let total = inner[lenient: "result_total"]?[lenient: label] { page["total"] = total }
                try await fetcher.store(label, try JSONEncoder().encode(JSONValue.object(page)))
            }
        }
    }

    /// `params` as a PHP-bracket query (`filter[ENTITY_ID]=DEAL_STAGE&select[0]=*`), values percent-encoded.
    static func query(_ params: [String: JSONValue]) -> String {
        var pairs: [String] = []
        func add(_ prefix: String, _ value: JSONValue) {
            switch value {
            case .object(let o): for (k, v) in o.sorted(by: { $0.key < $1.key }) { add(prefix + "[" + k + "]", v) }
            case .array(let a): for (i, v) in a.enumerated() { add(prefix + "[\(i)]", v) }
            case .null: break
            default: pairs.append(prefix + "=" + encode(value.lenientText ?? ""))
            }
        }
        for (k, v) in params.sorted(by: { $0.key < $1.key }) { add(k, v) }
        return pairs.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~*:"))
            ?? text
    }
}

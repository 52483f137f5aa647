import AutofunnelCore
import Foundation

/// Reads an amoCRM account through API v4 into page files, then into a `LiveSnapshot`: pipelines with statuses, loss
/// reasons, users, leads with contacts and loss reasons (250 a page), contacts, companies, the
/// `lead_status_changed` events (100 a page) as the history, the leads' notes and the tasks. Pages follow `_links.next`; the next page is asked for on
/// the account's own address (never the link's host, which could carry the token elsewhere).
public struct AmoCRMSource: Sendable {
    /// `https://example.amocrm.ru`, without `/api/v4`.
    public let base: String
    let token: String
    /// Requests per second: amoCRM allows 7; a little below, so that a late answer never makes two look like one.
    public static let rate = 6.5

    /// A source at `url` (an account address; a trailing `/api/v4` is dropped) with a long-lived `token`.
    public init(url: String, token: String) throws {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/api/v4") { base.removeLast(7) }
        guard let parsed = URL(string: base), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw LiveImportError.refused("--url must be the account's address, e.g. https://example.amocrm.ru (got \(url))")
        }
        guard !token.isEmpty else { throw LiveImportError.refused("--token is empty: give the account's long-lived token") }
        self.base = base
        self.token = token
    }

    /// What the fetch is doing, for the progress line.
    public typealias Progress = @Sendable (String) -> Void

    /// Fetches everything (pages already in the fetcher's folder are read from there) and maps it.
    public func fetch(_ fetcher: LiveFetcher, progress: Progress = { _ in }) async throws -> LiveSnapshot {
        progress("pipelines")
        let pipelines = try await one(fetcher, "pipelines", "/api/v4/leads/pipelines")
        let reasons = try await one(fetcher, "loss_reasons", "/api/v4/leads/loss_reasons")
        var snapshot = LiveSnapshot()
        snapshot.pipelines = AmoCRMMapping.pipelines(pipelines ?? .null, lossReasons: reasons)
        guard !snapshot.pipelines.isEmpty else {
            throw LiveImportError.malformed(url: base + "/api/v4/leads/pipelines", reason: "no pipelines in the answer")
        }
        progress("users")
        snapshot.users = AmoCRMMapping.users(try await list(fetcher, "users", "/api/v4/users", [], key: "users", limit: 250))
        progress("leads")
        snapshot.deals = AmoCRMMapping.leads(
            try await list(fetcher, "leads", "/api/v4/leads", ["with=contacts,loss_reason"], key: "leads", limit: 250))
        progress("contacts")
        snapshot.contacts = AmoCRMMapping.contacts(try await list(fetcher, "contacts", "/api/v4/contacts", [], key: "contacts", limit: 250))
        progress("companies")
        snapshot.companies = AmoCRMMapping.companies(try await list(fetcher, "companies", "/api/v4/companies", [], key: "companies", limit: 250))
        progress("events")
        let events = try await list(fetcher, "events", "/api/v4/events", ["filter%5Btype%5D=lead_status_changed"], key: "events", limit: 100)
        snapshot.moves = AmoCRMMapping.moves(events, leads: snapshot.deals)
        let byID = "order%5Bid%5D=asc"
        progress("notes")
        (snapshot.notes, snapshot.skippedNotes) = AmoCRMMapping.notes(
            try await list(fetcher, "notes", "/api/v4/leads/notes", [byID], key: "notes", limit: 250))
        progress("tasks")
        (snapshot.tasks, snapshot.skippedTasks) = AmoCRMMapping.tasks(
            try await list(fetcher, "tasks", "/api/v4/tasks", [byID], key: "tasks", limit: 250))
        return snapshot
    }

    func request(_ url: String) -> LiveTransport.Request {
        LiveTransport.Request(url: url, headers: [("Authorization", "Bearer " + token), ("Accept", "application/json")])
    }

    /// One answer that is not a list.
    func one(_ fetcher: LiveFetcher, _ name: String, _ path: String) async throws -> JSONValue? {
        let url = base + path
        return try await fetcher.page(name, request(url)).map { try LivePaging.json($0, url: url) }
    }

    /// Every item of a paged list under `_embedded.{key}`; a 204 or an empty page ends it.
    func list(_ fetcher: LiveFetcher, _ name: String, _ path: String, _ query: [String], key: String, limit: Int) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        for page in 1...LivePaging.maxPages {
            let url = base + path + "?" + (query + ["limit=\(limit)", "page=\(page)"]).joined(separator: "&")
            guard let data = try await fetcher.page(LivePaging.name(name, page), request(url)) else { break }
            let json = try LivePaging.json(data, url: url)
            let found = json[lenient: "_embedded"]?[lenient: key]?.lenientItems ?? []
            items += found
            guard items.count <= LivePaging.maxItems else {
                throw LiveImportError.malformed(url: url, reason: "more than \(LivePaging.maxItems) \(key)")
            }
            guard !found.isEmpty, let next = json[lenient: "_links"]?[lenient: "next"], next != .null else { break }
        }
        return items
    }
}

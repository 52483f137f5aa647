import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation

/// What a Bitrix24 method answers: its `result`, and `total`/`next` for lists.
struct Bitrix24Reply: Sendable {
    var result: JSONValue
    var total: Int? = nil
    var next: Int? = nil
}

/// The Bitrix24 methods, called for one authenticated caller. Each is a thin adapter: it reads Bitrix24's parameters,
/// calls the same services the JSON API calls (with the caller's principal, actor kind `api`) and shapes the answer.
struct Bitrix24Methods: Sendable {
    let services: AppServices
    let principal: Principal
    /// The access helpers of the JSON API; they read the caller set for the request.
    var access: RecordAccess { RecordAccess(principal: principal, store: store) }
    var russian: Bool { principal.user.locale == .ru }
    var store: Store { services.store }

    /// Page size of every list, as in Bitrix24.
    static let pageSize = 50

    /// Runs one method by its case-insensitive name (without `.json`).
    func call(_ rawName: String, _ params: [String: JSONValue]) async throws -> Bitrix24Reply {
        let name = rawName.lowercased()
        let p = JSONValue.object(params)
        // As the API's middleware refuses every change sent with a read-scope token (here each command of a batch).
        let reads = name == "batch" || Self.readOnly.contains(name) || [".list", ".get", ".fields"].contains { name.hasSuffix($0) }
        if !reads { try principal.refuseChangeWithReadScope() }
        switch name {
        case "crm.category.list": return try await categoryList(p)
        case "crm.dealcategory.list": return try await dealCategoryList(p)
        case "crm.status.list": return try await statusList(p)
        case "crm.dealcategory.stage.list": return try await dealCategoryStages(p)
        case "crm.deal.fields": return try await dealFields()
        case "crm.deal.add": return try await dealAdd(p)
        case "crm.deal.get": return try await dealGet(p)
        case "crm.deal.update": return try await dealUpdate(p)
        case "crm.deal.list": return try await dealList(p)
        case "crm.deal.delete": return try await dealDelete(p)
        case "crm.contact.add": return try await contactAdd(p)
        case "crm.contact.get": return try await contactGet(p)
        case "crm.contact.update": return try await contactUpdate(p)
        case "crm.contact.list": return try await contactList(p)
        case "crm.contact.delete": return try await partyDelete(.contacts, p)
        case "crm.company.delete": return try await partyDelete(.companies, p)
        case "crm.activity.add": return try await activityAdd(p)
        case "crm.activity.get": return try await activityGet(p)
        case "crm.activity.list": return try await activityList(p)
        case "tasks.task.add": return try await taskAdd(p)
        case "tasks.task.get": return try await taskGet(p)
        case "tasks.task.complete": return try await taskComplete(p)
        case "tasks.task.list": return try await taskList(p)
        case "batch": return try await batch(p)
        case "crm.stagehistory.list": return try await stageHistory(p)
        case "user.current": return try await userCurrent()
        case "user.get": return try await userGet(p)
        case "profile": return try await profile()
        case "scope": return Bitrix24Reply(result: .array(Self.scopes.map { .string($0) }))
        case "methods": return Bitrix24Reply(result: .array(Self.served.map { .string($0) }))
        default: throw Bitrix24Error.methodNotFound(rawName)
        }
    }

    /// The catalog of categories and stages, with the field catalog, read in one transaction.
    func catalogs() async throws -> (Bitrix24Catalog, FieldCatalog) {
        try await store.read { s in (Bitrix24Catalog(pipelines: try await s.pipelines()), try await s.fieldCatalog()) }
    }

    /// The `start` of a list: an offset, or -1 for "no count" (`total` and `next` left out).
    static func start(_ p: JSONValue) -> (offset: Int, counts: Bool) {
        guard let start = p[lenient: "start"]?.lenientInt else { return (0, true) }
        if start < 0 { return (0, false) }
        return (Int(min(start, 1_000_000_000)), true)
    }

    /// A list reply: `total` always (unless `start=-1`), `next` only when more rows follow.
    static func page(_ rows: [JSONValue], offset: Int, total: Int?) -> Bitrix24Reply {
        guard let total else { return Bitrix24Reply(result: .array(rows)) }
        let end = offset + rows.count
        return Bitrix24Reply(result: .array(rows), total: total, next: end < total && !rows.isEmpty ? end : nil)
    }

    /// The required integer parameter `name` (`id`, `taskId`), found without regard to case.
    static func id(_ p: JSONValue, _ name: String = "id") throws -> Int64 {
        guard let id = p[lenient: name]?.lenientInt else { throw Bitrix24Error.invalid("Parameter '\(name)' is required") }
        return id
    }

    /// A date-time as Bitrix24 writes it: `2026-01-31T12:00:00+00:00`.
    static func iso(_ t: Timestamp?) -> JSONValue {
        guard let t else { return .null }
        let date = Date(timeIntervalSince1970: Double(t.millis) / 1000)
        let text = date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
        return .string(text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text)
    }

}

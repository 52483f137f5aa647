import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import HTTPTypes

/// The amoCRM v4 resources, served for one authenticated caller. Each is a thin adapter: it reads amoCRM's JSON and
/// query, calls the services the JSON API calls (with the caller's principal, actor kind `api`) and shapes the answer.
/// A nil answer is amoCRM's 204 (a record that does not exist).
struct AmoCRMMethods: Sendable {
    let services: AppServices
    let principal: Principal
    /// The absolute address of `/api/v4` as the client reached it (scheme, host, account prefix): links start here.
    let base: String
    /// The query string as sent, for the links to other pages.
    let rawQuery: String
    /// The query with PHP brackets read into objects (`filter[id][]=1`).
    let query: [String: JSONValue]

    /// The one account every record belongs to.
    static let accountID: Int64 = 1

    /// The access helpers of the JSON API; they read the caller set for the request.
    var access: RecordAccess { RecordAccess(principal: principal, store: store) }
    var russian: Bool { principal.user.locale == .ru }
    var store: Store { services.store }

    /// Serves one request by its method and the path segments after `/api/v4`.
    func call(_ method: HTTPRequest.Method, _ path: [String], body: JSONValue) async throws -> JSONValue? {
        switch (method, path.count, path.first) {
        case (.get, _, "leads") where path.count >= 2 && path[1] == "pipelines": return try await pipelines(Array(path.dropFirst(2)))
        case (.get, 2, "leads") where path[1] == "custom_fields": return try await customFields(.deal, plural: "leads")
        case (.get, 2, "leads") where path[1] == "loss_reasons": return try await lossReasons()
        case (.get, 2, "leads") where path[1] == "tags": return try await tagList(.deal, plural: "leads")
        case (.get, 2, "contacts") where path[1] == "tags": return try await tagList(.contact, plural: "contacts")
        case (.post, 2, "leads") where path[1] == "notes": return try await noteCreate(body, lead: nil)
        case (.get, 2, "leads") where path[1] == "notes": return try await noteList()
        case (.post, 3, "leads") where path[2] == "notes": return try await noteCreate(body, lead: try Self.id(path[1]))
        case (.get, 3, "leads") where path[2] == "notes": return try await leadNotes(try Self.id(path[1]))
        case (.get, 2, "contacts") where path[1] == "custom_fields": return try await customFields(.contact, plural: "contacts")
        case (.get, 1, "leads"): return try await leadList()
        case (.get, 2, "leads"): return try await leadGet(try Self.id(path[1]))
        case (.post, 1, "leads"): return try await leadCreate(body)
        case (.patch, 1, "leads"): return try await leadUpdate(body, id: nil)
        case (.patch, 2, "leads"): return try await leadUpdate(body, id: try Self.id(path[1]))
        case (.get, 1, "contacts"): return try await contactList()
        case (.get, 2, "contacts"): return try await contactGet(try Self.id(path[1]))
        case (.post, 1, "contacts"): return try await contactSave(body, id: nil, create: true)
        case (.patch, 1, "contacts"): return try await contactSave(body, id: nil, create: false)
        case (.patch, 2, "contacts"): return try await contactSave(body, id: try Self.id(path[1]), create: false)
        case (.get, 1, "tasks"): return try await taskList()
        case (.get, 2, "tasks"): return try await taskGet(try Self.id(path[1]))
        case (.post, 1, "tasks"): return try await taskCreate(body)
        case (.patch, 1, "tasks"): return try await taskUpdate(body, id: nil)
        case (.patch, 2, "tasks"): return try await taskUpdate(body, id: try Self.id(path[1]))
        case (.get, 1, "events"): return try await eventList()
        case (.get, 1, "companies"): return try await companyList()
        case (.get, 1, "users"): return try await userList()
        case (.get, 2, "users"): return try await userGet(try Self.id(path[1]))
        case (.get, 1, "account"): return account()
        default:
            if ![.get, .post, .patch].contains(method) {
                throw AmoCRMError(status: 405, title: "Method Not Allowed", detail: "\(method.rawValue) is not served on /api/v4")
            }
            throw AmoCRMError.notFound("No resource /api/v4/\(path.joined(separator: "/")) for \(method.rawValue)")
        }
    }

    /// A record id in the path; anything else is a 404, as for an unknown resource.
    static func id(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw AmoCRMError.notFound("No record \(text)") }
        return id
    }

    /// `{"self": {"href": …}}`.
    static func selfLink(_ href: String) -> JSONValue { .object(["self": .object(["href": .string(href)])]) }

    /// A list answer: `_page`, `_links.self` and — only when more follow — `_links.next` to the same address with the
    /// next page, and the items under `_embedded.{key}` (an empty array when there are none, never a 204).
    func listReply(_ key: String, path: String, items: [JSONValue], paging: AmoCRMPaging, more: Bool) -> JSONValue {
        var links: [String: JSONValue] = ["self": .object(["href": .string(paging.link(base + path, rawQuery: rawQuery, page: paging.page))])]
        if more { links["next"] = .object(["href": .string(paging.link(base + path, rawQuery: rawQuery, page: paging.page + 1))]) }
        return .object(["_page": .number(Double(paging.page)), "_links": .object(links), "_embedded": .object([key: .array(items)])])
    }

    /// The reply of a create or update: the ids (with the caller's `request_id`) under `_embedded.{key}`.
    func savedReply(_ key: String, _ rows: [JSONValue]) -> JSONValue {
        .object(["_links": Self.selfLink(base + "/" + key), "_embedded": .object([key: .array(rows)])])
    }

    /// The items of a create or update body: a list, or one object.
    static func items(_ body: JSONValue) throws -> [JSONValue] {
        switch body {
        case .array(let items) where !items.isEmpty && items.count <= 250: return items
        case .object: return [body]
        default: throw AmoCRMError.invalid("Send a list of 1 to 250 objects")
        }
    }

    /// The `request_id` of an item: the one it sent, else its index.
    static func requestID(_ item: JSONValue, index: Int) -> String { item[lenient: "request_id"]?.lenientText ?? String(index) }

    /// Runs the work for one item, reporting a refusal against the item's `request_id`.
    func forItem<T>(_ requestID: String, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            throw AmoCRMError.from(error, russian: russian, requestID: requestID)
        }
    }

    /// The account: enough for clients that read it before anything else.
    func account() -> JSONValue {
        .object([
            "id": .number(Double(Self.accountID)), "name": .string("Autofunnel"), "subdomain": .string("autofunnel"),
            "currency": .string("RUB"), "current_user_id": .number(Double(principal.user.id.rawValue)), "country": .string("RU"),
            "is_unsorted_on": .bool(false), "_links": Self.selfLink(base + "/account"),
        ])
    }

    /// Seconds since 1970, as amoCRM writes every time.
    static func seconds(_ t: Timestamp?) -> JSONValue { t.map { .number(Double($0.millis / 1000)) } ?? .null }

    /// An optional integer as JSON.
    static func number<T: RawRepresentable>(_ id: T?) -> JSONValue where T.RawValue == Int64 { id.map { .number(Double($0.rawValue)) } ?? .null }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

/// The REST API: implements the operations generated from `openapi.yaml`. Handlers decode, call a service and encode;
/// the rules live in Core and the SQL in the Store.
struct APIHandler: APIProtocol {
    let services: AppServices
    /// The actor recorded for the caller's changes: kind `user` with a session, `api` with a token.
    var actor: Actor { Caller.current?.principal.actor ?? Actor(kind: .api) }

    var store: Store { services.store }
}

/// Cursor pagination: the cursor is the last id of the previous page, opaque to clients.
enum Cursor {
    static func decode(_ text: String?) throws -> Int64? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text), let raw = String(data: data, encoding: .utf8), raw.hasPrefix("after:"),
            let id = Int64(raw.dropFirst(6))
        else {
            throw AppError.invalidParameter("cursor", ru: "Курсор не из этого API", en: "The cursor is not one this API issued")
        }
        return id
    }

    static func encode(_ id: Int64?) -> String? { id.map { Data("after:\($0)".utf8).base64EncodedString() } }

    static func limit(_ value: Int?) throws -> Int {
        let limit = value ?? 50
        guard (1...200).contains(limit) else {
            throw AppError.invalidParameter("limit", ru: "limit — от 1 до 200", en: "limit must be 1 to 200")
        }
        return limit
    }
}

import AutofunnelCore
import SQLKit

struct TokenRecord: Codable, Sendable {
    var id: Int64?
    var user_id: Int64
    var name: String
    var prefix: String
    var token_hash: String
    var scope: String
    var created_at: Int64
    var last_used_at: Int64?
    var revoked_at: Int64?

    static let columns = ["id", "user_id", "name", "prefix", "token_hash", "scope", "created_at", "last_used_at", "revoked_at"]

    func token() -> APIToken {
        APIToken(
            id: id ?? 0, user: UserID(user_id), name: name, prefix: prefix, scope: TokenScope(rawValue: scope) ?? .read,
            createdAt: Timestamp(millis: created_at), lastUsedAt: last_used_at.map(Timestamp.init(millis:)),
            revokedAt: revoked_at.map(Timestamp.init(millis:)))
    }
}

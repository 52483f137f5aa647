import AutofunnelCore
import SQLKit

struct SessionRecord: Codable, Sendable {
    var id_hash: String
    var user_id: Int64
    var csrf_token: String
    var created_at: Int64
    var last_seen_at: Int64
    var ip: String?
    var user_agent: String?
}

import AutofunnelCore
import SQLKit

struct AuditRecord: Codable, Sendable {
    var seq: Int64?
    var at: Int64
    var action: String
    var actor_id: Int64?
    var subject_user_id: Int64?
    var email: String?
    var ip: String?
    var detail: String?

    static let columns = ["seq", "at", "action", "actor_id", "subject_user_id", "email", "ip", "detail"]

    func entry() -> AuditEntry {
        AuditEntry(
            seq: seq ?? 0, at: Timestamp(millis: at), action: AuditEntry.Action(rawValue: action) ?? .userUpdated,
            actor: actor_id.map { UserID($0) }, subject: subject_user_id.map { UserID($0) }, email: email, ip: ip, detail: detail)
    }
}

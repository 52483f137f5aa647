import AutofunnelCore
import SQLKit

struct NoticeRecord: Codable, Sendable {
    var id: Int64?
    var user_id: Int64
    var deal_id: Int64?
    var task_id: Int64?
    var kind: String
    var text: String
    var created_at: Int64
    var read_at: Int64?

    func notice() -> Notice {
        Notice(
            id: id ?? 0, user: UserID(user_id), deal: deal_id.map { DealID($0) }, task: task_id.map { TaskID($0) }, kind: kind, text: text,
            createdAt: Timestamp(millis: created_at), readAt: read_at.map { Timestamp(millis: $0) })
    }
}

import AutofunnelCore
import Foundation
import SQLKit

struct TimerRecord: Codable, Sendable {
    var id: Int64?
    var deal_id: Int64
    var stage_key: String
    var rule_key: String
    var due_at: Int64
    var lease_owner: String?
    var lease_until: Int64?
    var created_at: Int64
    var task_id: Int64?
    var wait_token: String?
    var occurrence: String?

    static let columns = [
        "id", "deal_id", "stage_key", "rule_key", "due_at", "lease_owner", "lease_until", "created_at", "task_id", "wait_token", "occurrence",
    ]

    /// A new occurrence name for a timer row.
    static func newOccurrence() -> String { RandomUUID.string() }

    func timer() -> DueTimer {
        DueTimer(
            id: id ?? 0, deal: DealID(deal_id), stage: StageKey(stage_key), rule: rule_key, dueAt: Timestamp(millis: due_at),
            task: task_id.map { TaskID($0) }, waitToken: wait_token, token: occurrence)
    }
}

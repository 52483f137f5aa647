import AutofunnelCore
import SQLKit

struct TaskRecord: Codable, Sendable {
    var id: Int64?
    var deal_id: Int64
    var title: String
    var text: String?
    var assignee_id: Int64?
    var creator_id: Int64?
    var stage_key: String?
    var rule_key: String?
    var status: String
    var due_at: Int64
    var created_at: Int64
    var completed_at: Int64?
    var kind: String

    static let columns = [
        "id", "deal_id", "title", "text", "assignee_id", "creator_id", "stage_key", "rule_key", "status", "due_at", "created_at", "completed_at",
        "kind",
    ]

    init(_ t: DealTask) {
        id = t.id.rawValue == 0 ? nil : t.id.rawValue
        deal_id = t.deal.rawValue
        title = t.title
        text = t.text
        assignee_id = t.assignee?.rawValue
        creator_id = t.creator?.rawValue
        stage_key = t.stage?.rawValue
        rule_key = t.rule
        status = t.status.rawValue
        due_at = t.dueAt.millis
        created_at = t.createdAt.millis
        completed_at = t.completedAt?.millis
        kind = t.kind.rawValue
    }

    func task() -> DealTask {
        DealTask(
            id: TaskID(id ?? 0), deal: DealID(deal_id), title: title, text: text, assignee: assignee_id.map { UserID($0) },
            creator: creator_id.map { UserID($0) }, stage: stage_key.map { StageKey($0) }, rule: rule_key,
            status: DealTask.Status(rawValue: status) ?? .open, dueAt: Timestamp(millis: due_at), createdAt: Timestamp(millis: created_at),
            completedAt: completed_at.map { Timestamp(millis: $0) }, kind: DealTask.Kind(rawValue: kind) ?? .task)
    }
}

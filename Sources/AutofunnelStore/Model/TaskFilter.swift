import AutofunnelCore
import SQLKit

/// Filters of the task list.
public struct TaskFilter: Sendable {
    public var deal: DealID?
    public var assignee: UserID?
    public var status: DealTask.Status?
    /// Open tasks due before this time.
    public var overdueAt: Timestamp?
    public init(deal: DealID? = nil, assignee: UserID? = nil, status: DealTask.Status? = nil, overdueAt: Timestamp? = nil) {
        self.deal = deal
        self.assignee = assignee
        self.status = status
        self.overdueAt = overdueAt
    }
}

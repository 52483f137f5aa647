import AutofunnelCore
import SQLKit

/// Filters of the task list.
public struct TaskFilter: Sendable {
    public var deal: DealID?
    public var assignee: UserID?
    /// Tasks of any of these assignees (a team); empty matches none.
    public var assignees: [UserID]?
    public var status: DealTask.Status?
    /// Open tasks due before this time.
    public var overdueAt: Timestamp?
    /// Tasks due before this time.
    public var dueBefore: Timestamp?
    /// Tasks of deals in this pipeline.
    public var pipeline: PipelineKey?
    public var kind: DealTask.Kind?
    public init(
        deal: DealID? = nil, assignee: UserID? = nil, status: DealTask.Status? = nil, overdueAt: Timestamp? = nil, assignees: [UserID]? = nil,
        dueBefore: Timestamp? = nil, pipeline: PipelineKey? = nil, kind: DealTask.Kind? = nil
    ) {
        self.deal = deal
        self.assignee = assignee
        self.status = status
        self.overdueAt = overdueAt
        self.assignees = assignees
        self.dueBefore = dueBefore
        self.pipeline = pipeline
        self.kind = kind
    }
}

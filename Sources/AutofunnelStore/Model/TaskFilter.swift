import AutofunnelCore
import SQLKit

/// Filters of the task list.
public struct TaskFilter: Sendable {
    public var deal: DealID?
    public var assignee: UserID?
    public var status: DealTask.Status?
    /// Open tasks due before this time.
    public var overdueAt: Timestamp?
    /// Tasks of deals in this pipeline.
    public var pipeline: PipelineKey?
    public var kind: DealTask.Kind?
    /// Tasks of live deals the reader may list: the cut is made before the limit, so a reader never misses their
    /// tasks behind others' they may not see.
    public var scope: DealScope?
    public init(
        deal: DealID? = nil, assignee: UserID? = nil, status: DealTask.Status? = nil, overdueAt: Timestamp? = nil, pipeline: PipelineKey? = nil,
        kind: DealTask.Kind? = nil
    ) {
        self.deal = deal
        self.assignee = assignee
        self.status = status
        self.overdueAt = overdueAt
        self.pipeline = pipeline
        self.kind = kind
    }
}

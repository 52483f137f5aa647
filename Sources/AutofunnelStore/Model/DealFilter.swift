import AutofunnelCore
import SQLKit

/// Filters of the deal list.
public struct DealFilter: Sendable, Equatable {
    public var pipeline: PipelineKey?
    public var stage: StageKey?
    public var status: DealStatus?
    public var responsible: UserID?
    public var updatedSince: Timestamp?
    public var contact: ContactID?
    /// Deals carrying the tag with this key (`Tag.key`).
    public var tag: String?
    /// The deals the caller may see; nil for no limit (the CLI, reports computed for admins).
    public var scope: DealScope?
    public init(
        pipeline: PipelineKey? = nil, stage: StageKey? = nil, status: DealStatus? = nil, responsible: UserID? = nil, updatedSince: Timestamp? = nil,
        scope: DealScope? = nil, contact: ContactID? = nil, tag: String? = nil
    ) {
        self.tag = tag
        self.contact = contact
        self.scope = scope
        self.pipeline = pipeline
        self.stage = stage
        self.status = status
        self.responsible = responsible
        self.updatedSince = updatedSince
    }
}

import AutofunnelCore
import SQLKit

/// What a board shows of one pipeline: open deals, narrowed by responsible, text and the caller's visibility.
public struct BoardQuery: Sendable, Equatable {
    public var pipeline: PipelineKey
    public var responsible: UserID?
    /// Matched against deal titles and contact names.
    public var search: String?
    /// Deals carrying the tag with this key (`Tag.key`).
    public var tag: String?
    public var scope: DealScope?

    public init(pipeline: PipelineKey, responsible: UserID? = nil, search: String? = nil, scope: DealScope? = nil, tag: String? = nil) {
        self.tag = tag
        self.pipeline = pipeline
        self.responsible = responsible
        self.search = search
        self.scope = scope
    }
}

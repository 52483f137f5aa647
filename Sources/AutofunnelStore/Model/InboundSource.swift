import AutofunnelCore
import SQLKit

/// A source of inbound leads (a site form, a landing page, a call tracker): the pipeline and stage its leads start in,
/// and the hash of the secret it sends.
public struct InboundSource: Sendable, Hashable {
    public var key: String
    public var pipeline: PipelineKey
    public var stage: StageKey?
    public var secretHash: String
    public var responsible: UserID?
    public var createdAt: Timestamp

    public init(key: String, pipeline: PipelineKey, stage: StageKey?, secretHash: String, responsible: UserID?, createdAt: Timestamp) {
        self.key = key
        self.pipeline = pipeline
        self.stage = stage
        self.secretHash = secretHash
        self.responsible = responsible
        self.createdAt = createdAt
    }
}

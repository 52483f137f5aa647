import AutofunnelCore
import SQLKit

struct InboundSourceRecord: Codable, Sendable {
    var key: String
    var pipeline_key: String
    var stage_key: String?
    var secret_hash: String
    var responsible_id: Int64?
    var created_at: Int64

    func source() -> InboundSource {
        InboundSource(
            key: key, pipeline: PipelineKey(pipeline_key), stage: stage_key.map { StageKey($0) }, secretHash: secret_hash,
            responsible: responsible_id.map { UserID($0) }, createdAt: Timestamp(millis: created_at))
    }
}

import AutofunnelCore
import SQLKit

struct StageLogRecord: Decodable {
    var seq: Int64
    var deal_id: Int64
    var lineage_id: String
    var pipeline_key: String
    var from_stage: String?
    var to_stage: String
    var at: Int64
    var actor_id: Int64?
    var actor_kind: String
    var cause: String
    var responsible_id: Int64?
    var amount: Int64?
    var currency: String?
    var deal_created_at: Int64?

    func entry() throws -> StageLogEntry {
        guard let kind = ActorKind(rawValue: actor_kind) else { throw StoreError.corrupt("stage_log \(seq) actor kind") }
        let money = zip(amount, currency.flatMap(CurrencyCode.init)).map { Money(scaledUnits: $0, currency: $1) }
        return StageLogEntry(
            seq: seq, deal: DealID(deal_id), lineage: LineageID(lineage_id), pipeline: PipelineKey(pipeline_key),
            from: from_stage.map(StageKey.init(rawValue:)), to: StageKey(to_stage), at: Timestamp(millis: at),
            actor: Actor(kind: kind, userID: actor_id.map(UserID.init(rawValue:))), cause: cause,
            responsible: responsible_id.map(UserID.init(rawValue:)), amount: money, dealCreatedAt: Timestamp(millis: deal_created_at ?? 0))
    }
}

import AutofunnelCore
import SQLKit

struct WaitRecord: Codable, Sendable {
    var token: String
    var deal_id: Int64
    var stage_key: String
    var rule_key: String
    var endpoint_id: Int64
    var approved_stage: String?
    var rejected_stage: String?
    var timeout_stage: String?
    var status: String
    var deadline_at: Int64
    var created_at: Int64
    var resolved_at: Int64?

    init(_ w: CallWait) {
        token = w.token
        deal_id = w.deal.rawValue
        stage_key = w.stage.rawValue
        rule_key = w.rule
        endpoint_id = w.endpoint
        approved_stage = w.branches.approved?.rawValue
        rejected_stage = w.branches.rejected?.rawValue
        timeout_stage = w.branches.timeout?.rawValue
        status = w.status.rawValue
        deadline_at = w.deadline.millis
        created_at = w.createdAt.millis
        resolved_at = w.resolvedAt?.millis
    }

    func wait() -> CallWait {
        CallWait(
            token: token, deal: DealID(deal_id), stage: StageKey(stage_key), rule: rule_key, endpoint: endpoint_id,
            branches: .init(
                approved: approved_stage.map(StageKey.init(rawValue:)), rejected: rejected_stage.map(StageKey.init(rawValue:)),
                timeout: timeout_stage.map(StageKey.init(rawValue:))),
            status: .init(rawValue: status) ?? .cancelled, deadline: Timestamp(millis: deadline_at), createdAt: Timestamp(millis: created_at),
            resolvedAt: resolved_at.map { Timestamp(millis: $0) })
    }
}

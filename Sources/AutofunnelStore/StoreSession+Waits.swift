import AutofunnelCore
import SQLKit

/// A deal waiting in a stage for an outside system's answer to a `call_and_wait` rule.
public struct CallWait: Sendable, Hashable {
    /// Where a wait stands; only `waiting` takes an answer.
    public enum Status: String, Sendable { case waiting, approved, rejected, timeout, cancelled }
    /// The correlation token of the callback URL: unguessable, one per call.
    public var token: String
    public var deal: DealID
    public var stage: StageKey
    public var rule: String
    /// The webhook endpoint called: its secret signs the callback.
    public var endpoint: Int64
    public var branches: AutomationRule.WaitBranches
    public var status: Status
    public var deadline: Timestamp
    public var createdAt: Timestamp
    public var resolvedAt: Timestamp?

    public init(
        token: String, deal: DealID, stage: StageKey, rule: String, endpoint: Int64, branches: AutomationRule.WaitBranches, status: Status = .waiting,
        deadline: Timestamp, createdAt: Timestamp, resolvedAt: Timestamp? = nil
    ) {
        self.token = token
        self.deal = deal
        self.stage = stage
        self.rule = rule
        self.endpoint = endpoint
        self.branches = branches
        self.status = status
        self.deadline = deadline
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}

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

extension StoreSession {
    /// Stores a wait and its deadline timer, in the transaction of the rule that called out.
    public func insertWait(_ wait: CallWait) async throws {
        try await db.raw(insertStatement(into: "waits", WaitRecord(wait))).run()
        try await insertTimer(
            deal: wait.deal, stage: wait.stage, rule: DueTimer.waitTimeout, dueAt: wait.deadline, at: wait.createdAt, waitToken: wait.token)
    }

    /// The wait with this token, locked on PostgreSQL when `forUpdate` (answers to one wait are serialised).
    public func wait(token: String, forUpdate: Bool = false) async throws -> CallWait? {
        let q = db.select().columns(
            "token", "deal_id", "stage_key", "rule_key", "endpoint_id", "approved_stage", "rejected_stage", "timeout_stage", "status", "deadline_at",
            "created_at", "resolved_at"
        ).from("waits").where("token", .equal, token)
        if forUpdate && db.dialect.name == "postgresql" { q.for(.update) }
        return try await q.first(decoding: WaitRecord.self)?.wait()
    }

    /// Ends a wait with an answer (or a timeout) and removes its deadline timer.
    public func resolveWait(_ token: String, status: CallWait.Status, at: Timestamp) async throws {
        try await db.update("waits").set("status", to: status.rawValue).set("resolved_at", to: at.millis).where("token", .equal, token).run()
        try await db.delete(from: "timers").where("wait_token", .equal, token).run()
    }

    /// Cancels the waits of a deal in a stage it left: a late answer finds nothing to move.
    public func cancelWaits(deal: DealID, stage: StageKey, at: Timestamp) async throws {
        try await db.update("waits").set("status", to: CallWait.Status.cancelled.rawValue).set("resolved_at", to: at.millis)
            .where("deal_id", .equal, deal.rawValue).where("stage_key", .equal, stage.rawValue)
            .where("status", .equal, CallWait.Status.waiting.rawValue).run()
    }
}

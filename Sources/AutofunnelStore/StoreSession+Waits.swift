import AutofunnelCore
import SQLKit

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

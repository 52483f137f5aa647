import AutofunnelCore
import Foundation
import SQLKit

extension StoreSession {
    /// Sets a timer; it commits with the move that caused it.
    public func insertTimer(deal: DealID, stage: StageKey, rule: String, dueAt: Timestamp, at: Timestamp, waitToken: String? = nil) async throws {
        let record = TimerRecord(
            id: nil, deal_id: deal.rawValue, stage_key: stage.rawValue, rule_key: rule, due_at: dueAt.millis, lease_owner: nil, lease_until: nil,
            created_at: at.millis, task_id: nil, wait_token: waitToken, occurrence: TimerRecord.newOccurrence())
        try await db.raw(insertStatement(into: "timers", record)).run()
    }

    /// Sets (or with nil, cancels) the one timer of a date rule on a deal: a changed date moves it.
    public func setDateTimer(deal: DealID, rule: String, dueAt: Timestamp?, at: Timestamp) async throws {
        try await db.delete(from: "timers").where("deal_id", .equal, deal.rawValue).where("rule_key", .equal, rule)
            .where("stage_key", .equal, DueTimer.anyStage.rawValue).run()
        if let dueAt { try await insertTimer(deal: deal, stage: DueTimer.anyStage, rule: rule, dueAt: dueAt, at: at) }
    }

    /// Cancels a deal's timers for a stage it left (every stage when nil).
    public func cancelTimers(deal: DealID, stage: StageKey? = nil) async throws {
        var q: SQLQueryString = "DELETE FROM timers WHERE deal_id = \(bind: deal.rawValue)"
        if let stage { q += " AND stage_key = \(bind: stage.rawValue)" }
        try await db.raw(q).run()
    }

    /// When the scheduler should look next: the earliest due time, or for a leased timer its lease's end (a timer a
    /// crashed instance had leased comes back then, not at once). Reads the earliest rows by the due-time index only.
    public func nextTimerDue() async throws -> Timestamp? {
        let window = 64
        let rows = try await db.select().columns("due_at", "lease_until").from("timers").orderBy("due_at").limit(window).all()
        var next: Int64?
        var lastDue: Int64?
        for row in rows {
            let due = try row.decode(column: "due_at", as: Int64.self)
            let effective = max(due, try row.decode(column: "lease_until", as: Int64?.self) ?? due)
            next = min(next ?? effective, effective)
            lastDue = due
        }
        // Past a window of leased timers, a later one may be due sooner than their leases end.
        if rows.count == window, let lastDue, let found = next, found > lastDue { next = lastDue }
        return next.map { Timestamp(millis: $0) }
    }

    /// Leases up to `limit` due timers to `owner` until `until`: free ones and ones whose lease ran out (their owner
    /// died). PostgreSQL skips rows another instance is claiming; SQLite has one writer anyway.
    public func claimDueTimers(now: Timestamp, owner: String, until: Timestamp, limit: Int) async throws -> [DueTimer] {
        let q = db.select().column(SQLNames(TimerRecord.columns)).from("timers")
            .where("due_at", .lessThanOrEqual, now.millis)
            .where { g in g.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, now.millis) }
            .orderBy("due_at").orderBy("id").limit(limit)
        if db.dialect.name == "postgresql" { q.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
        let rows = try await q.all(decoding: TimerRecord.self)
        guard !rows.isEmpty else { return [] }
        try await db.update("timers").set("lease_owner", to: owner).set("lease_until", to: until.millis).where(
            "id", .in, rows.compactMap(\.id)
        ).run()
        return rows.map { $0.timer() }
    }

    /// Removes a timer only while `owner` still holds its lease: the fencing check and the delete in one statement, in
    /// the transaction that applies the timer's effects. False when another instance took the timer over.
    public func takeLeasedTimer(_ id: Int64, owner: String) async throws -> Bool {
        let taken = try await db.raw("DELETE FROM timers WHERE id = \(bind: id) AND lease_owner = \(bind: owner) RETURNING id").first() != nil
        if taken { try faults.check(.afterTimerTaken) }
        return taken
    }

    /// Timers waiting, and those already due.
    public func timerCounts(now: Timestamp) async throws -> (pending: Int, due: Int) {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(
            SQLFunction("SUM", args: SQLRaw("CASE WHEN due_at <= \(now.millis) THEN 1 ELSE 0 END")), as: "d"
        ).from("timers").first()
        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "d", as: Int?.self) ?? 0)
    }

    /// Records that a rule's action ran for a cause; false when it ran already (the exactly-once ledger).
    public func claimRun(cause: String, rule: String, action: Int, at: Timestamp) async throws -> Bool {
        let insert = insertStatement(
            into: "automation_runs", columns: SQLNames("cause", "rule_key", "action_index", "at"), rows: [[cause, rule, action, at.millis]])
        return try await db.raw(insert + " ON CONFLICT (cause, rule_key, action_index) DO NOTHING RETURNING cause").first() != nil
    }

    /// A small piece of rule state (the round-robin position), read and written inside the rule's transaction.
    public func automationState(_ key: String) async throws -> String? {
        try await db.select().column("value").from("automation_state").where("key", .equal, key).first()?.decode(column: "value", as: String.self)
    }

    public func setAutomationState(_ key: String, _ value: String) async throws {
        try await db.delete(from: "automation_state").where("key", .equal, key).run()
        try await db.insert(into: "automation_state").columns("key", "value").values(SQLBind(key), SQLBind(value)).run()
    }
}

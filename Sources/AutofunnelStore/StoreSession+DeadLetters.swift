import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Counts a failed firing of a timer `owner` holds. Below `maximumAttempts` it is released to fire again at
    /// `retryAt(attempts)`; at the bound it moves to `timer_dead_letters`. The fencing check is the same as firing's.
    public func recordTimerFailure(
        _ id: Int64, owner: String, error: String, now: Timestamp, maximumAttempts: Int, retryAt: (Int) -> Timestamp
    ) async throws -> TimerFailure {
        let text = String(error.prefix(2000))
        guard
            let row = try await db.raw(
                """
                UPDATE timers SET attempts = attempts + 1, last_error = \(bind: text), lease_owner = NULL, lease_until = NULL
                WHERE id = \(bind: id) AND lease_owner = \(bind: owner) RETURNING attempts
                """
            ).first()
        else { return .notHeld }
        let attempts = try row.decode(column: "attempts", as: Int.self)
        guard attempts >= maximumAttempts else {
            let at = retryAt(attempts)
            try await db.raw("UPDATE timers SET due_at = \(bind: at.millis) WHERE id = \(bind: id)").run()
            return .retry(at: at, attempts: attempts)
        }
        try await db.raw(
            """
            INSERT INTO timer_dead_letters (timer_id, deal_id, stage_key, rule_key, due_at, task_id, wait_token, occurrence, attempts, last_error,
              parked_at)
            SELECT id, deal_id, stage_key, rule_key, due_at, task_id, wait_token, occurrence, attempts, last_error, \(bind: now.millis)
            FROM timers WHERE id = \(bind: id)
            """
        ).run()
        try await db.raw("DELETE FROM timers WHERE id = \(bind: id)").run()
        return .parked(attempts: attempts)
    }

    /// Parked timers, the latest first.
    public func parkedTimers(limit: Int) async throws -> [ParkedTimer] {
        try await db.raw(
            """
            SELECT id, deal_id, stage_key, rule_key, due_at, task_id, attempts, last_error, parked_at FROM timer_dead_letters
            ORDER BY parked_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            ParkedTimer(
                id: try row.decode(column: "id", as: Int64.self), deal: DealID(try row.decode(column: "deal_id", as: Int64.self)),
                stage: StageKey(try row.decode(column: "stage_key", as: String.self)), rule: try row.decode(column: "rule_key", as: String.self),
                dueAt: Timestamp(millis: try row.decode(column: "due_at", as: Int64.self)),
                task: try row.decode(column: "task_id", as: Int64?.self).map { TaskID($0) },
                attempts: try row.decode(column: "attempts", as: Int.self),
                lastError: try row.decode(column: "last_error", as: String.self),
                parkedAt: Timestamp(millis: try row.decode(column: "parked_at", as: Int64.self)))
        }
    }

    /// How many timers are parked.
    public func parkedTimerCount() async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM timer_dead_letters").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Puts a parked timer back, due now with a fresh count (after the cause was fixed). False when there is none.
    public func requeueParkedTimer(_ id: Int64, now: Timestamp) async throws -> Bool {
        guard try await db.raw("SELECT id FROM timer_dead_letters WHERE id = \(bind: id)").first() != nil else { return false }
        try await db.raw(
            """
            INSERT INTO timers (deal_id, stage_key, rule_key, due_at, created_at, task_id, wait_token, occurrence, attempts)
            SELECT deal_id, stage_key, rule_key, \(bind: now.millis), \(bind: now.millis), task_id, wait_token, occurrence, 0
            FROM timer_dead_letters WHERE id = \(bind: id)
            """
        ).run()
        try await db.raw("DELETE FROM timer_dead_letters WHERE id = \(bind: id)").run()
        return true
    }

    /// `Store.writeProblem`'s probe: a row of 16 KB written (new pages, as a real write needs) and, in the next
    /// transaction, removed.
    func probeWrite(keep: Bool) async throws {
        if keep {
            try await db.raw(
                "INSERT INTO health_probe (id, payload) VALUES (1, \(bind: String(repeating: "x", count: 16_384))) ON CONFLICT (id) DO NOTHING"
            ).run()
        } else {
            try await db.raw("DELETE FROM health_probe").run()
        }
    }
}

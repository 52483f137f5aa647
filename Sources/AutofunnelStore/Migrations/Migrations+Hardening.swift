import SQLKit

extension Migrations {
    /// Timers that fail are counted and, past a bound, parked: `timers` gains the attempts and the last error, and
    /// parked timers move to `timer_dead_letters`, where the API lists them (the claim query never reads them).
    /// `health_probe` holds the row `/health` writes to learn whether writes work again after a storage fault.
    @Sendable static func addHardening(_ db: any SQLDatabase) async throws {
        try await db.create(table: "health_probe")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("payload", type: .text, .notNull)
            .run()
        try await db.alter(table: "timers").column("attempts", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        try await db.alter(table: "timers").column("last_error", type: .text).run()
        try await db.create(table: "timer_dead_letters")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            // SQLite may give a later timer a parked one's row id again: the parked row has its own id.
            .column("timer_id", type: .bigint, .notNull)
            .column("deal_id", type: .bigint, .notNull)
            .column("stage_key", type: .text, .notNull)
            .column("rule_key", type: .text, .notNull)
            .column("due_at", type: .bigint, .notNull)
            .column("task_id", type: .bigint)
            .column("wait_token", type: .text)
            .column("occurrence", type: .text)
            .column("attempts", type: .bigint, .notNull)
            .column("last_error", type: .text, .notNull)
            .column("parked_at", type: .bigint, .notNull)
            .run()
    }
}

import SQLKit

extension Migrations {
    /// Channels (e-mail, messenger) as kinds of outbox endpoints, the waits of `call_and_wait`, documents attached to
    /// deals, and contacts' unsubscribes per channel.
    @Sendable static func createChannels(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "webhook_endpoints").column("kind", type: .text, .notNull, .default(SQLLiteral.string("webhook"))).run()
        try await db.alter(table: "webhook_endpoints").column("sender", type: .text).run()
        try await db.alter(table: "webhook_endpoints").column("unsubscribe_text", type: .text).run()
        try await db.alter(table: "timers").column("wait_token", type: .text).run()
        try await db.create(table: "waits")
            .column("token", type: .text, .primaryKey(autoIncrement: false))
            .column("deal_id", type: .bigint, .notNull)
            .column("stage_key", type: .text, .notNull)
            .column("rule_key", type: .text, .notNull)
            .column("endpoint_id", type: .bigint, .notNull)
            .column("approved_stage", type: .text)
            .column("rejected_stage", type: .text)
            .column("timeout_stage", type: .text)
            .column("status", type: .text, .notNull)
            .column("deadline_at", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("resolved_at", type: .bigint)
            .run()
        try await db.create(index: "waits_deal").on("waits").column("deal_id").column("status").run()
        try await db.create(table: "documents")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("name", type: .text, .notNull)
            .column("content_type", type: .text, .notNull)
            .column("body", type: .text, .notNull)
            .column("rule_key", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "documents_deal").on("documents").column("deal_id").run()
        try await db.create(table: "unsubscribes")
            .column("contact_id", type: .bigint, .notNull)
            .column("channel", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .primaryKey("contact_id", "channel")
            .run()
    }

    /// Timers get a unique name for their occurrence: SQLite reuses the row id of a deleted row, and the exactly-once
    /// ledger must not mistake a new timer for one that fired before. Idempotency keys learn whether their request
    /// changed anything, so a key left claimed by a crash can be taken over.
    @Sendable static func addTimerOccurrence(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "timers").column("occurrence", type: .text).run()
        // Whether a claimed Idempotency-Key's request changed data (written in the same transaction as the change).
        try await db.alter(table: "idempotency_keys").column("applied", type: .bigint).run()
    }
}

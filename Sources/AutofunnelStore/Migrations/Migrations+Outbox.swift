import SQLKit

extension Migrations {
    /// Outgoing webhooks: endpoints with their signing secrets and event subscriptions, and the outbox of messages,
    /// written in the transaction of the change they report and delivered at least once with a stable id.
    @Sendable static func createOutbox(_ db: any SQLDatabase) async throws {
        try await db.create(table: "webhook_endpoints")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull, .unique)
            .column("url", type: .text, .notNull)
            .column("secret", type: .text, .notNull)
            .column("events", type: .text, .notNull)
            .column("active", type: .bigint, .notNull)
            .column("disabled_reason", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(table: "outbox")
            .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
            .column("message_id", type: .text, .notNull, .unique)
            .column("endpoint_id", type: .bigint, .notNull)
            .column("event_type", type: .text, .notNull)
            .column("payload", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("next_attempt_at", type: .bigint, .notNull)
            .column("lease_owner", type: .text)
            .column("lease_until", type: .bigint)
            .column("last_status", type: .bigint)
            .column("last_error", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .column("delivered_at", type: .bigint)
            .run()
        try await db.create(index: "outbox_due").on("outbox").column("status").column("next_attempt_at").run()
    }

    /// Inbound lead sources with the hashes of their secrets.
    @Sendable static func createInbound(_ db: any SQLDatabase) async throws {
        try await db.create(table: "inbound_sources")
            .column("key", type: .text, .primaryKey(autoIncrement: false))
            .column("pipeline_key", type: .text, .notNull)
            .column("stage_key", type: .text)
            .column("secret_hash", type: .text, .notNull)
            .column("responsible_id", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .run()
    }
}

import SQLKit

extension Migrations {
    /// People and access for admins: one-time set-password links (stored by the hash of their secret) and the indexes
    /// the audit log's filters and the users' last sign-in read.
    @Sendable static func createPeople(_ db: any SQLDatabase) async throws {
        try await db.create(table: "password_links")
            .column("token_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("user_id", type: .bigint, .notNull, .references("users", "id"))
            .column("created_by", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("used_at", type: .bigint)
            .run()
        try await db.create(index: "password_links_user").on("password_links").column("user_id").run()
        try await db.create(index: "audit_log_actor").on("audit_log").column("actor_id").column("seq").run()
        try await db.create(index: "audit_log_action").on("audit_log").column("action").column("subject_user_id").column("at").run()
    }
}

import SQLKit

extension Migrations {
    /// Accounts: roles and passwords on users, server-side sessions, API tokens, pipeline grants, the audit log,
    /// login attempts for throttling, and the one-time setup token of a new installation.
    @Sendable static func createAccounts(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "users").column("role", type: .text, .notNull, .default("manager")).run()
        try await db.alter(table: "users").column("active", type: .bigint, .notNull, .default(1)).run()
        try await db.alter(table: "users").column("password_hash", type: .text).run()
        try await db.alter(table: "users").column("password_changed_at", type: .bigint).run()
        // Only a hash of the session id is stored: a copy of the database does not hand out live sessions.
        try await db.create(table: "sessions")
            .column("id_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("user_id", type: .bigint, .notNull)
            .column("csrf_token", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("last_seen_at", type: .bigint, .notNull)
            .column("ip", type: .text)
            .column("user_agent", type: .text)
            .run()
        try await db.create(index: "sessions_user").on("sessions").column("user_id").run()
        try await db.create(table: "api_tokens")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("user_id", type: .bigint, .notNull)
            .column("name", type: .text, .notNull)
            .column("prefix", type: .text, .notNull)
            .column("token_hash", type: .text, .notNull, .unique)
            .column("scope", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("last_used_at", type: .bigint)
            .column("revoked_at", type: .bigint)
            .run()
        try await db.create(index: "api_tokens_user").on("api_tokens").column("user_id").run()
        try await db.create(table: "grants")
            .column("user_id", type: .bigint, .notNull)
            .column("pipeline_key", type: .text, .notNull)
            .column("level", type: .text, .notNull)
            .primaryKey("user_id", "pipeline_key")
            .run()
        // Append-only: the store offers no update or delete of these rows.
        try await db.create(table: "audit_log")
            .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
            .column("at", type: .bigint, .notNull)
            .column("action", type: .text, .notNull)
            .column("actor_id", type: .bigint)
            .column("subject_user_id", type: .bigint)
            .column("email", type: .text)
            .column("ip", type: .text)
            .column("detail", type: .text)
            .run()
        try await db.create(index: "audit_log_at").on("audit_log").column("at").run()
        try await db.create(table: "login_attempts")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("at", type: .bigint, .notNull)
            .column("email", type: .text, .notNull)
            .column("ip", type: .text, .notNull)
            .column("succeeded", type: .bigint, .notNull)
            .run()
        try await db.create(index: "login_attempts_email").on("login_attempts").column("email").column("at").run()
        try await db.create(index: "login_attempts_ip").on("login_attempts").column("ip").column("at").run()
        try await db.create(table: "setup_tokens")
            .column("token_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
    }

    /// Secrets of the installation rather than of one server process (the key that signs amoCRM tokens): every
    /// instance on one database reads the same row, and it survives restarts.
    @Sendable static func createServerSecrets(_ db: any SQLDatabase) async throws {
        try await db.create(table: "server_secrets")
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("value", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
    }
}

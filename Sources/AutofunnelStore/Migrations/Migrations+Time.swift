import SQLKit

extension Migrations {
    /// Time and tasks: a user's own time zone (none: the installation's), a task's kind (call, meeting, …), and the
    /// calendar feeds — one per user at most, found by the hash of the secret in its address, never the secret itself.
    @Sendable static func addTime(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "users").column("time_zone", type: .text).run()
        try await db.raw("ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'task'").run()
        try await db.create(table: "calendar_feeds")
            .column("user_id", type: .bigint, .primaryKey(autoIncrement: false), .references("users", "id"))
            .column("secret_hash", type: .text, .notNull, .unique)
            .column("created_at", type: .bigint, .notNull)
            .run()
    }
}

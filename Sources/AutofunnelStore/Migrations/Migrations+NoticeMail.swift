import SQLKit

extension Migrations {
    /// Which notices a user also gets by e-mail (kinds as a comma list), and how far their digests got: the last
    /// digest's time (at most one an hour) and the last notice it carried.
    @Sendable static func createNoticeMail(_ db: any SQLDatabase) async throws {
        try await db.create(table: "notice_mail")
            .column("user_id", type: .bigint, .primaryKey(autoIncrement: false), .references("users", "id"))
            .column("kinds", type: .text, .notNull)
            .column("last_sent_at", type: .bigint)
            .column("last_notice_id", type: .bigint, .notNull, .default(0))
            .run()
    }
}

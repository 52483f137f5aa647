import SQLKit

extension Migrations {
    /// Merged contacts and companies: the id of the record merged away and the one it was merged into, so that the old
    /// id keeps answering (the API, the dialects, the pages) after the row itself is deleted.
    @Sendable static func createMerges(_ db: any SQLDatabase) async throws {
        try await db.create(table: "merged_records")
            .column("kind", type: .text, .notNull)
            .column("merged_id", type: .bigint, .notNull)
            .column("kept_id", type: .bigint, .notNull)
            .column("merged_at", type: .bigint, .notNull)
            .primaryKey("kind", "merged_id")
            .run()
        try await db.create(index: "merged_records_kept").on("merged_records").column("kind").column("kept_id").run()
    }
}

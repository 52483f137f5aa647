import SQLKit

extension Migrations {
    /// Tags: a row per record and tag, keyed by the folded tag so a record carries a tag once whatever its spelling;
    /// `name` keeps it as written. The second index finds every record of a kind carrying a tag (the lists' and the
    /// board's filter, the search) without reading the records.
    @Sendable static func createTags(_ db: any SQLDatabase) async throws {
        try await db.create(table: "tags")
            .column("kind", type: .text, .notNull)
            .column("record_id", type: .bigint, .notNull)
            .column("tag_key", type: .text, .notNull)
            .column("name", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .primaryKey("kind", "record_id", "tag_key")
            .run()
        try await db.create(index: "tags_by_key").on("tags").column("kind").column("tag_key").column("record_id").run()
    }
}

import SQLKit

extension Migrations {
    /// Notes on contacts and companies as well as deals (exactly one owner each, checked by the database), pinned
    /// notes, and when a note's text was last changed. SQLite cannot drop a NOT NULL, so it copies the table (ids kept);
    /// PostgreSQL alters it in place.
    @Sendable static func createNotes(_ db: any SQLDatabase) async throws {
        if db.dialect.name == "postgresql" {
            try await db.raw("ALTER TABLE notes ALTER COLUMN deal_id DROP NOT NULL").run()
            try await db.alter(table: "notes").column("contact_id", type: .bigint).run()
            try await db.alter(table: "notes").column("company_id", type: .bigint).run()
            try await db.alter(table: "notes").column("pinned", type: .bigint, .notNull, .default(0)).run()
            try await db.alter(table: "notes").column("edited_at", type: .bigint).run()
            try await db.raw("ALTER TABLE notes ADD CONSTRAINT notes_one_owner CHECK (num_nonnulls(deal_id, contact_id, company_id) = 1)").run()
        } else {
            try await db.raw(
                """
                CREATE TABLE notes_023 (id INTEGER PRIMARY KEY AUTOINCREMENT, deal_id BIGINT, contact_id BIGINT, company_id BIGINT,
                text TEXT NOT NULL, author_id BIGINT, created_at BIGINT NOT NULL, pinned BIGINT NOT NULL DEFAULT 0, edited_at BIGINT,
                CHECK ((deal_id IS NOT NULL) + (contact_id IS NOT NULL) + (company_id IS NOT NULL) = 1))
                """
            ).run()
            try await db.raw(
                "INSERT INTO notes_023 (id, deal_id, text, author_id, created_at) SELECT id, deal_id, text, author_id, created_at FROM notes"
            ).run()
            try await db.raw("DROP TABLE notes").run()
            try await db.raw("ALTER TABLE notes_023 RENAME TO notes").run()
            try await db.create(index: "notes_deal").on("notes").column("deal_id").run()
        }
        try await db.create(index: "notes_contact").on("notes").column("contact_id").run()
        try await db.create(index: "notes_company").on("notes").column("company_id").run()
    }
}

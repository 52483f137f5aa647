import AutofunnelCore
import SQLKit

extension Migrations {
    /// Search: each searched record keeps its text folded (`SearchText`) in columns of its own, written with the record
    /// in the same statement, and each database indexes those columns for substring search — SQLite with FTS5 tables
    /// of trigrams over the columns (kept by triggers, so every write of a row keeps its index row), PostgreSQL with
    /// `pg_trgm` GIN indexes. Rows that exist already are filled here.
    @Sendable static func createSearch(_ db: any SQLDatabase) async throws {
        let postgres = db.dialect.name == "postgresql"
        if postgres { try await db.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run() }
        for index in SearchIndex.all {
            for column in index.columns {
                try await db.raw("ALTER TABLE \(ident: index.table) ADD COLUMN \(ident: column) TEXT NOT NULL DEFAULT ''").run()
            }
        }
        try await fillSearchText(db)
        for index in SearchIndex.all {
            if postgres {
                for column in index.columns {
                    try await db.raw(
                        "CREATE INDEX \(ident: index.table + "_" + column) ON \(ident: index.table) USING gin (\(ident: column) gin_trgm_ops)"
                    ).run()
                }
            } else {
                try await createFTS(index, db)
            }
        }
    }

    /// An FTS5 table of trigrams over the record's search columns, reading them from the record's table, and the
    /// triggers that keep it: an update changes it only when the text changed (a stage move does not touch it).
    static func createFTS(_ index: SearchIndex, _ db: any SQLDatabase) async throws {
        let fts = index.fts
        let columns = index.columns.joined(separator: ", ")
        let new = index.columns.map { "new." + $0 }.joined(separator: ", ")
        let old = index.columns.map { "old." + $0 }.joined(separator: ", ")
        let changed = index.columns.map { "old.\($0) IS NOT new.\($0)" }.joined(separator: " OR ")
        // Text is folded before it is stored, so the tokenizer folds nothing more: both databases compare the same text.
        try await db.raw(
            """
            CREATE VIRTUAL TABLE \(unsafeRaw: fts) USING fts5(\(unsafeRaw: columns), content='\(unsafeRaw: index.table)', \
            content_rowid='id', tokenize='trigram case_sensitive 1', detail='column')
            """
        ).run()
        try await db.raw(
            """
            CREATE TRIGGER \(unsafeRaw: fts)_insert AFTER INSERT ON \(unsafeRaw: index.table) BEGIN \
            INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: columns)) VALUES (new.id, \(unsafeRaw: new)); END
            """
        ).run()
        try await db.raw(
            """
            CREATE TRIGGER \(unsafeRaw: fts)_delete AFTER DELETE ON \(unsafeRaw: index.table) BEGIN \
            INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: columns)) VALUES ('delete', old.id, \(unsafeRaw: old)); END
            """
        ).run()
        try await db.raw(
            """
            CREATE TRIGGER \(unsafeRaw: fts)_update AFTER UPDATE ON \(unsafeRaw: index.table) WHEN \(unsafeRaw: changed) BEGIN \
            INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: columns)) VALUES ('delete', old.id, \(unsafeRaw: old)); \
            INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: columns)) VALUES (new.id, \(unsafeRaw: new)); END
            """
        ).run()
        try await db.raw("INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts)) VALUES ('rebuild')").run()
    }

    /// Writes the folded text of every deal, contact and company, 500 rows per statement.
    static func fillSearchText(_ db: any SQLDatabase) async throws {
        try await refill(db, table: "deals", reading: ["title"], columns: ["search_text"]) { row in
            [SearchText.deal(title: try row.decode(column: "title", as: String.self))]
        }
        try await refill(db, table: "contacts", reading: ["name", "phones", "emails"], columns: ["search_name", "search_more"]) { row in
            let phones = try JSONText.decode([String].self, try row.decode(column: "phones", as: String.self))
            let emails = try JSONText.decode([String].self, try row.decode(column: "emails", as: String.self))
            return [SearchText.fold(try row.decode(column: "name", as: String.self)), SearchText.contactDetails(phones: phones, emails: emails)]
        }
        try await refill(db, table: "companies", reading: ["name", "fields"], columns: ["search_name", "search_more"]) { row in
            let fields = try JSONText.fields(try row.decode(column: "fields", as: String.self))
            return [SearchText.fold(try row.decode(column: "name", as: String.self)), SearchText.companyDetails(fields: fields)]
        }
    }

    private static func refill(
        _ db: any SQLDatabase, table: String, reading: [String], columns: [String], text: (any SQLRow) throws -> [String]
    ) async throws {
        var after: Int64 = 0
        while true {
            let rows = try await db.select().columns(["id"] + reading).from(table).where("id", .greaterThan, after)
                .orderBy("id").limit(500).all()
            guard let last = rows.last else { return }
            var values: [SQLQueryString] = []
            for row in rows {
                var tuple: SQLQueryString = "(\(bind: try row.decode(column: "id", as: Int64.self))"
                for t in try text(row) { tuple += ", \(bind: t)" }
                values.append(tuple + ")")
            }
            let set = columns.enumerated().map { "\($0.element) = v.column\($0.offset + 2)" }.joined(separator: ", ")
            try await db.raw(
                "UPDATE \(ident: table) SET \(unsafeRaw: set) FROM (VALUES \(values.joined(separator: ", "))) AS v WHERE \(ident: table).id = v.column1"
            ).run()
            after = try last.decode(column: "id", as: Int64.self)
        }
    }
}

import SQLKit

extension Migrations {
    /// Imports: `external_ids` ties a record to its id in the system it came from (one row per kind, source and
    /// external id, so an import run again finds what it made), `import_runs` is the journal a cut run resumes from.
    @Sendable static func createImport(_ db: any SQLDatabase) async throws {
        try await db.create(table: "external_ids")
            .column("kind", type: .text, .notNull)
            .column("source", type: .text, .notNull)
            .column("external_id", type: .text, .notNull)
            .column("local_id", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .primaryKey("kind", "source", "external_id")
            .run()
        try await db.create(index: "external_ids_local").on("external_ids").column("kind").column("local_id").run()
        try await db.create(table: "import_runs")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("source", type: .text, .notNull)
            .column("file_name", type: .text, .notNull)
            // The last row whose effects are committed: a resumed run starts after it.
            .column("position", type: .bigint, .notNull)
            .column("created", type: .bigint, .notNull)
            .column("updated", type: .bigint, .notNull)
            .column("refused", type: .bigint, .notNull)
            .column("status", type: .text, .notNull)
            .column("started_at", type: .bigint, .notNull)
            .column("finished_at", type: .bigint)
            .run()
    }

    /// Imports the server runs in the background: a row per job (what was asked, how far it got, how it ended, and
    /// when its process last said it is alive), and the refused rows of each, which its errors CSV lists.
    @Sendable static func createImportJobs(_ db: any SQLDatabase) async throws {
        try await db.create(table: "import_jobs")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("status", type: .text, .notNull)
            .column("file_name", type: .text, .notNull)
            .column("history_name", type: .text)
            .column("source", type: .text, .notNull)
            .column("mapping", type: .text, .notNull)
            .column("dry_run", type: .bigint, .notNull)
            .column("skip_unmapped", type: .bigint, .notNull)
            .column("upload", type: .text, .notNull)
            .column("rows_read", type: .bigint, .notNull)
            .column("total_rows", type: .bigint)
            .column("created", type: .bigint, .notNull)
            .column("updated", type: .bigint, .notNull)
            .column("refused", type: .bigint, .notNull)
            .column("moves", type: .bigint, .notNull)
            .column("resumed_after", type: .bigint, .notNull)
            .column("message", type: .text)
            .column("created_by", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .column("started_at", type: .bigint)
            .column("finished_at", type: .bigint)
            .column("heartbeat_at", type: .bigint, .notNull)
            .run()
        try await db.create(table: "import_job_problems")
            .column("job_id", type: .bigint, .notNull)
            .column("seq", type: .bigint, .notNull)
            .column("row_number", type: .bigint, .notNull)
            .column("column_name", type: .text)
            .column("message", type: .text, .notNull)
            .primaryKey("job_id", "seq")
            .run()
    }
}

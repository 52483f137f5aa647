import SQLKit

/// The one migration set, run the same on SQLite and PostgreSQL. Each migration runs once, in its own transaction,
/// and is recorded in `schema_migrations`.
public enum Migrations {
    /// A named schema change.
    struct Migration: Sendable {
        let id: String
        let apply: @Sendable (any SQLDatabase) async throws -> Void
    }

    static let all: [Migration] = [
        Migration(id: "001_spine", apply: createSpine),
        Migration(id: "002_report_indexes", apply: createReportIndexes),
        Migration(id: "003_log_deal_created_at", apply: addDealCreatedAtToLog),
        Migration(id: "004_accounts", apply: createAccounts),
        Migration(id: "005_automation", apply: createAutomation),
        Migration(id: "006_notices", apply: createNotices),
        Migration(id: "007_outbox", apply: createOutbox),
        Migration(id: "008_inbound", apply: createInbound),
        Migration(id: "009_channels", apply: createChannels),
        Migration(id: "010_timer_occurrence", apply: addTimerOccurrence),
        Migration(id: "011_board_indexes", apply: createBoardIndexes),
        Migration(id: "012_report_summaries", apply: addReportSummaries),
        Migration(id: "013_server_secrets", apply: createServerSecrets),
        Migration(id: "014_hardening", apply: addHardening),
        Migration(id: "015_import", apply: createImport),
        Migration(id: "016_import_jobs", apply: createImportJobs),
        Migration(id: "017_search", apply: createSearch),
        Migration(id: "018_people", apply: createPeople),
        Migration(id: "019_tags", apply: createTags),
        Migration(id: "020_time", apply: addTime),
        Migration(id: "021_notice_mail", apply: createNoticeMail),
        Migration(id: "022_merges", apply: createMerges),
        Migration(id: "023_notes", apply: createNotes),
    ]

    /// Several servers starting on one PostgreSQL database migrate one at a time: each migration's transaction holds an
    /// advisory lock (SQLite has a single writer anyway).
    static func serialize(_ db: any SQLDatabase) async throws {
        if db.dialect.name == "postgresql" { try await db.raw("SELECT pg_advisory_xact_lock(7202611)").run() }
    }

    /// Applies every migration not applied yet; returns the ids it applied.
    @discardableResult
    public static func run(on backend: any StoreBackend, now: Int64) async throws -> [String] {
        try await backend.write { db in
            try await serialize(db)
            try await db.create(table: "schema_migrations").ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("applied_at", type: .bigint, .notNull)
                .run()
        }
        var applied: [String] = []
        for migration in all {
            let done = try await backend.write { db in
                try await serialize(db)
                let existing = try await db.select().column("id").from("schema_migrations").where("id", .equal, migration.id).first()
                if existing != nil { return false }
                try await migration.apply(db)
                try await db.insert(into: "schema_migrations").columns("id", "applied_at").values(SQLBind(migration.id), SQLBind(now)).run()
                return true
            }
            if done { applied.append(migration.id) }
        }
        return applied
    }

    @Sendable static func createSpine(_ db: any SQLDatabase) async throws {
        try await db.create(table: "users")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("email", type: .text, .notNull, .unique)
            .column("name", type: .text, .notNull)
            .column("locale", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(table: "pipelines")
            .column("key", type: .text, .primaryKey(autoIncrement: false))
            .column("name_ru", type: .text, .notNull)
            .column("name_en", type: .text, .notNull)
            .column("definition", type: .text, .notNull)
            .column("position", type: .bigint, .notNull)
            .column("version", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await db.create(table: "fields")
            .column("entity", type: .text, .notNull)
            .column("key", type: .text, .notNull)
            .column("definition", type: .text, .notNull)
            .column("declared_by", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .primaryKey("entity", "key")
            .run()
        try await db.create(table: "companies")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull)
            .column("fields", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("deleted_at", type: .bigint)
            .run()
        try await db.create(table: "contacts")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull)
            .column("phones", type: .text, .notNull)
            .column("emails", type: .text, .notNull)
            .column("company_id", type: .bigint)
            .column("fields", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("deleted_at", type: .bigint)
            .run()
        try await db.create(table: "deals")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("lineage_id", type: .text, .notNull)
            .column("pipeline_key", type: .text, .notNull)
            .column("stage_key", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("title", type: .text, .notNull)
            .column("amount", type: .bigint)
            .column("currency", type: .text)
            .column("responsible_id", type: .bigint)
            .column("head_of_sales_id", type: .bigint)
            .column("contact_id", type: .bigint)
            .column("company_id", type: .bigint)
            .column("source", type: .text)
            .column("fields", type: .text, .notNull)
            .column("loss_comment", type: .text)
            .column("copied_from_id", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("stage_entered_at", type: .bigint, .notNull)
            .column("closed_at", type: .bigint)
            .column("deleted_at", type: .bigint)
            .run()
        try await db.create(index: "deals_board").on("deals").column("pipeline_key").column("stage_key").column("status").run()
        try await db.create(index: "deals_updated").on("deals").column("updated_at").run()
        try await db.create(index: "deals_lineage").on("deals").column("lineage_id").run()
        try await db.create(index: "deals_responsible").on("deals").column("responsible_id").run()
        // Append-only: the store offers no update or delete of these rows; every report reads them.
        try await db.create(table: "stage_log")
            .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("lineage_id", type: .text, .notNull)
            .column("pipeline_key", type: .text, .notNull)
            .column("from_stage", type: .text)
            .column("to_stage", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor_id", type: .bigint)
            .column("actor_kind", type: .text, .notNull)
            .column("cause", type: .text, .notNull)
            .column("responsible_id", type: .bigint)
            .column("amount", type: .bigint)
            .column("currency", type: .text)
            .run()
        try await db.create(index: "stage_log_deal").on("stage_log").column("deal_id").run()
        try await db.create(index: "stage_log_pipeline_at").on("stage_log").column("pipeline_key").column("at").run()
        try await db.create(table: "timeline")
            .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("kind", type: .text, .notNull)
            .column("field", type: .text)
            .column("old_value", type: .text)
            .column("new_value", type: .text)
            .column("text", type: .text)
            .column("actor_id", type: .bigint)
            .column("actor_kind", type: .text)
            .run()
        try await db.create(index: "timeline_deal").on("timeline").column("deal_id").run()
        try await db.create(table: "notes")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("text", type: .text, .notNull)
            .column("author_id", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "notes_deal").on("notes").column("deal_id").run()
        try await db.create(table: "idempotency_keys")
            .column("key", type: .text, .primaryKey(autoIncrement: false))
            .column("fingerprint", type: .text, .notNull)
            .column("status", type: .bigint)
            .column("content_type", type: .text)
            .column("body", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .run()
    }

    /// Reports scan one pipeline's log grouped by deal, and deals by pipeline and creation time: covering indexes for both.
    @Sendable static func createReportIndexes(_ db: any SQLDatabase) async throws {
        try await db.create(index: "stage_log_pipeline_deal").on("stage_log").column("pipeline_key").column("deal_id").column("to_stage").run()
        try await db.create(index: "deals_pipeline_created").on("deals").column("pipeline_key").column("created_at").run()
    }

    /// Reports pick deals by creation time; keeping it on each log row makes the period an index range on the log.
    @Sendable static func addDealCreatedAtToLog(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "stage_log").column("deal_created_at", type: .bigint).run()
        try await db.raw("UPDATE stage_log SET deal_created_at = (SELECT d.created_at FROM deals d WHERE d.id = stage_log.deal_id)").run()
        try await db.create(index: "stage_log_pipeline_created").on("stage_log").column("pipeline_key").column("deal_created_at").column("deal_id")
            .column("to_stage").run()
        try await db.create(index: "deals_deleted").on("deals").column("deleted_at").run()
    }

    /// A board column is a stage's open deals, newest arrivals first: an index in that order reads 50 rows, not the
    /// stage (and one per responsible, for "mine" and own-deals boards). Column totals group a pipeline's open deals by
    /// stage and currency: a covering index scans no table rows. The first replaces `deals_board`, its prefix.
    @Sendable static func createBoardIndexes(_ db: any SQLDatabase) async throws {
        try await db.drop(index: "deals_board").run()
        try await db.create(index: "deals_board_column").on("deals").column("pipeline_key").column("stage_key").column("status")
            .column("stage_entered_at").run()
        try await db.create(index: "deals_board_totals").on("deals").column("pipeline_key").column("status").column("stage_key")
            .column("currency").column("amount").column("deleted_at").run()
        // "Mine", a responsible filter and managers who see only their own deals: the same column order per person.
        try await db.create(index: "deals_board_owner").on("deals").column("pipeline_key").column("responsible_id").column("stage_key")
            .column("status").column("stage_entered_at").run()
        // Without it SQLite totals one person's deals through deals_board_totals, reading every open deal's row (230 ms at 100k).
        try await db.create(index: "deals_board_owner_totals").on("deals").column("pipeline_key").column("responsible_id").column("status")
            .column("stage_key").column("currency").column("amount").column("deleted_at").run()
    }
}

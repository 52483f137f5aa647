import AutofunnelCore
import SQLKit

extension Migrations {
    /// What the reports need beyond the stage log's own indexes:
    /// - the contact's segment in a column of its own (filled from the stored fields), so the segment filter is the
    ///   same SQL on both databases and an index lookup;
    /// - each deal's entered stages as a bit mask (see `StoreSession+EnteredStages`), filled from the log, with the
    ///   stage bits of every pipeline;
    /// - an index that groups a pipeline's moves by from and to stage without sorting the log.
    @Sendable static func addReportSummaries(_ db: any SQLDatabase) async throws {
        try await db.alter(table: "contacts").column("segment", type: .text).run()
        let rows = try await db.select().column("id").column("fields").from("contacts").where("fields", .like, "%\"segment\"%").all()
        for row in rows {
            let fields = try JSONText.fields(try row.decode(column: "fields", as: String.self))
            guard let segment = ContactRecord.segment(fields) else { continue }
            try await db.update("contacts").set("segment", to: segment).where("id", .equal, try row.decode(column: "id", as: Int64.self)).run()
        }
        try await db.create(index: "contacts_segment").on("contacts").column("segment").run()

        try await db.create(table: "stage_bits")
            .column("pipeline_key", type: .text, .notNull)
            .column("stage_key", type: .text, .notNull)
            .column("bit_index", type: .bigint, .notNull)
            .column("bit", type: .bigint, .notNull)
            .primaryKey("pipeline_key", "stage_key")
            .run()
        try await db.alter(table: "deals").column("entered_mask", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        for row in try await db.select().column("key").column("definition").from("pipelines").all() {
            let key = PipelineKey(try row.decode(column: "key", as: String.self))
            let definition = try JSONText.decode(PipelineDefinition.self, try row.decode(column: "definition", as: String.self))
            let current = definition.stages.map { StageKey($0.key) }
            let logged = try await db.select().distinct().column("to_stage").from("stage_log").where("pipeline_key", .equal, key.rawValue).all()
                .map { StageKey(try $0.decode(column: "to_stage", as: String.self)) }
            let keys = current + logged.filter { !current.contains($0) }.sorted { $0.rawValue < $1.rawValue }
            try await StoreSession.assignStageBits(Array(keys.prefix(StoreSession.stageBitCount)), pipeline: key, current: Set(current), db)
        }
        try await StoreSession.refreshEnteredMasks(nil, db)
        try await db.create(index: "deals_funnel").on("deals").column("pipeline_key").column("created_at").column("entered_mask").column("status")
            .column("deleted_at").run()
        try await db.create(index: "stage_log_moves").on("stage_log").column("pipeline_key").column("from_stage").column("to_stage")
            .column("deal_created_at").column("deal_id").run()
    }
}

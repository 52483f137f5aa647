import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Appends one row to the stage log. There is no update or delete: the log is append-only.
    public func appendStageLog(_ e: StageLogEntry) async throws { try await bulkAppendStageLog([e]) }

    /// Appends timeline entries.
    public func appendTimeline(_ entries: [TimelineEntry]) async throws {
        let rows: [[SQLValue]] = entries.map { e in
            [
                .integer(e.deal.rawValue), .integer(e.at.millis), .text(e.kind), SQLValue(e.field), SQLValue(e.old), SQLValue(e.new),
                SQLValue(e.text),
                SQLValue(e.actor?.userID?.rawValue), SQLValue(e.actor?.kind.rawValue),
            ]
        }
        let columns = ["deal_id", "at", "kind", "field", "old_value", "new_value", "text", "actor_id", "actor_kind"]
        _ = try await insertRows(into: "timeline", columns: columns, rows: rows)
    }

    /// The stage log of a deal, oldest first.
    public func stageLog(deal: DealID) async throws -> [StageLogEntry] {
        try await db.select().column("*").from("stage_log").where("deal_id", .equal, deal.rawValue).orderBy("seq").all(decoding: StageLogRecord.self)
            .map { try $0.entry() }
    }

    /// A page of the whole stage log (or one pipeline's) in log order, after the row `after` (a `seq`).
    public func stageLog(pipeline: PipelineKey?, after: Int64?, limit: Int) async throws -> Page<StageLogEntry> {
        let query = db.select().column("*").from("stage_log")
        if let pipeline { query.where("pipeline_key", .equal, pipeline.rawValue) }
        if let after { query.where("seq", .greaterThan, after) }
        let rows = try await query.orderBy("seq").limit(limit + 1).all(decoding: StageLogRecord.self)
        let page = rows.prefix(limit)
        return Page(items: try page.map { try $0.entry() }, nextAfter: rows.count > limit ? page.last?.seq : nil)
    }

    /// The timeline of a deal, oldest first: by each entry's time (an imported note keeps its own), then as written.
    public func timeline(deal: DealID) async throws -> [TimelineEntry] {
        try await db.select().column("*").from("timeline").where("deal_id", .equal, deal.rawValue).orderBy("at").orderBy("seq")
            .all(decoding: TimelineRecord.self).map { try $0.entry() }
    }

    /// The stage a closed deal was in before it closed (the latest log row's origin): where a reopen returns it by default.
    public func stageBeforeClosing(deal: DealID) async throws -> StageKey? {
        let row = try await db.select().column("from_stage").from("stage_log").where("deal_id", .equal, deal.rawValue)
            .orderBy("seq", .descending).limit(1).first()
        return try row?.decode(column: "from_stage", as: String?.self).map(StageKey.init(rawValue:))
    }
}

func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

import AutofunnelCore
import SQLKit

/// Page-numbered reads for the amoCRM dialect, whose lists are addressed by `page` and `limit` rather than by a key.
extension StoreSession {
    /// The stage-log rows that are moves (they have an origin; a deal's creation row has none), in log order, the
    /// first `offset` skipped: amoCRM's `lead_status_changed` events, a page at a time.
    public func stageLogMoves(offset: Int, limit: Int) async throws -> [StageLogEntry] {
        try await db.select().column("*").from("stage_log").where("from_stage", .isNot, SQLLiteral.null).orderBy("seq")
            .offset(max(0, offset)).limit(max(1, limit)).all(decoding: StageLogRecord.self).map { try $0.entry() }
    }

    /// Live companies by id, the first `offset` skipped.
    public func companies(offset: Int, limit: Int) async throws -> [Company] {
        try await db.select().column(SQLNames(CompanyRecord.columns)).from(CompanyRecord.table).where("deleted_at", .is, SQLLiteral.null)
            .orderBy("id").offset(max(0, offset)).limit(max(1, limit)).all(decoding: CompanyRecord.self).map { try $0.company() }
    }

    /// Notes by id (of `deals` only, when given), the first `offset` skipped: amoCRM's `GET /leads/notes`.
    public func notes(deals: [DealID]?, offset: Int, limit: Int) async throws -> [Note] {
        if deals?.isEmpty == true { return [] }
        let query = db.select().column(SQLNames(NoteRecord.columns)).from("notes").where("deal_id", .isNot, SQLLiteral.null)
        if let deals { query.where("deal_id", .in, deals.map(\.rawValue)) }
        return try await query.orderBy("id").offset(max(0, offset)).limit(max(1, limit)).all(decoding: NoteRecord.self).map { $0.note() }
    }
}

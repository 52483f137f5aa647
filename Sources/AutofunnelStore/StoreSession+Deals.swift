import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The deal with this id; `forUpdate` locks its row until the transaction ends (PostgreSQL; SQLite's writer is exclusive anyway).
    public func deal(_ id: DealID, forUpdate: Bool = false) async throws -> Deal {
        try await liveRecord(DealRecord.self, id: id.rawValue, forUpdate: forUpdate).deal()
    }

    /// The pipeline a deal is in (nil for no such deal): one column, for callers that need nothing else.
    public func dealPipeline(_ id: DealID) async throws -> PipelineKey? {
        if let known = memo?.record(DealRecord.self, id: id.rawValue, forUpdate: false) { return PipelineKey(known.pipeline_key) }
        let row = try await db.select().column("pipeline_key").from("deals").where("id", .equal, id.rawValue).first()
        return try row.map { PipelineKey(try $0.decode(column: "pipeline_key", as: String.self)) }
    }

    /// The deal with its contact and company, as the transition rules read it.
    public func dealSnapshot(_ id: DealID, forUpdate: Bool = false) async throws -> DealSnapshot {
        let deal = try await self.deal(id, forUpdate: forUpdate)
        var snapshot = try await snapshot(of: deal)
        snapshot.tags = Set(try await tags(.deal, of: id.rawValue).map(\.key))
        return snapshot
    }

    /// A snapshot of an unsaved or changed deal: its contact and company loaded, also when deleted since (a closed
    /// deal keeps its link; an open deal's contact cannot be deleted).
    public func snapshot(of deal: Deal) async throws -> DealSnapshot {
        let contact = try await deal.contact.asyncMap { try await self.linkedContact($0) }
        let company = try await deal.company.asyncMap { try await self.linkedCompany($0) }
        return DealSnapshot(deal: deal, contact: contact, company: company)
    }

    /// Stores a new deal and returns it with its id.
    public func insertDeal(_ deal: Deal) async throws -> Deal {
        var stored = deal
        stored.id = DealID(try await insertLive(DealRecord(deal)))
        try faults.check(.afterDealInsert)
        return stored
    }

    /// Writes every attribute of the deal.
    public func updateDeal(_ deal: Deal) async throws { try await updateLive(DealRecord(deal), id: deal.id.rawValue) }

    /// Marks a deal deleted. Its stage log stays: the log is append-only.
    public func deleteDeal(_ id: DealID, at: Timestamp) async throws {
        _ = try await deal(id)
        memo?.forget(table: DealRecord.table, id: id.rawValue)
        try await db.update("deals").set("deleted_at", to: at.millis).where("id", .equal, id.rawValue).run()
        try await removeAllTags(.deal, id: id.rawValue)
    }

    /// The live copy of `deal` in `pipeline` made by close-and-copy, if there is one (found through the lineage index).
    public func copy(of deal: Deal, in pipeline: PipelineKey) async throws -> DealID? {
        let row = try await db.select().column("id").from(DealRecord.table).where("lineage_id", .equal, deal.lineage.rawValue)
            .where("copied_from_id", .equal, deal.id.rawValue).where("pipeline_key", .equal, pipeline.rawValue)
            .where("deleted_at", .is, SQLLiteral.null).orderBy("id").limit(1).first()
        return try row.map { DealID(try $0.decode(column: "id", as: Int64.self)) }
    }

    /// A page of deals ordered by id.
    public func deals(_ filter: DealFilter, after: Int64?, limit: Int) async throws -> Page<Deal> {
        let page = try await livePage(DealRecord.self, after: after, limit: limit) { q in
            if let p = filter.pipeline { q.where("pipeline_key", .equal, p.rawValue) }
            if let s = filter.stage { q.where("stage_key", .equal, s.rawValue) }
            if let s = filter.status { q.where("status", .equal, s.rawValue) }
            if let r = filter.responsible { q.where("responsible_id", .equal, r.rawValue) }
            if let u = filter.updatedSince { q.where("updated_at", .greaterThanOrEqual, u.millis) }
            if let c = filter.contact { q.where("contact_id", .equal, c.rawValue) }
            if let tag = filter.tag { q.where(SQLColumn("id"), .in, Self.carrying(.deal, tag)) }
            if let scope = filter.scope { Self.restrict(q, to: scope) }
        }
        return Page(items: try page.records.map { try $0.deal() }, nextAfter: page.nextAfter)
    }

    /// The live deals among `ids`, by id, in one query; deleted and unknown ids are absent.
    public func deals(ids: [DealID]) async throws -> [DealID: Deal] {
        var out: [DealID: Deal] = [:]
        for (id, record) in try await records(DealRecord.self, ids: ids.map(\.rawValue), liveOnly: true) { out[DealID(id)] = try record.deal() }
        return out
    }

    /// Narrows a deal query to what a caller may see: every deal of some pipelines, their own of others.
    static func restrict(_ q: some SQLPredicateBuilder, to scope: DealScope) {
        if scope.lostOnly { q.where("status", .equal, DealStatus.lost.rawValue) }
        if scope.everyPipeline { return }
        let all = scope.allOf.map(\.rawValue)
        let own = scope.ownOf.map(\.rawValue)
        q.where { g in
            g.where(SQLBinaryExpression(SQLLiteral.numeric("1"), .equal, SQLLiteral.numeric("0")))
            if !all.isEmpty { g.orWhere("pipeline_key", .in, all) }
            if !own.isEmpty {
                g.orWhere { o in o.where("pipeline_key", .in, own).where("responsible_id", .equal, scope.user.rawValue) }
            }
            return g
        }
    }

    /// Open deals per stage of a pipeline, and closed ones too (keyed by stage).
    public func dealCounts(pipeline: PipelineKey, status: DealStatus?) async throws -> [StageKey: Int] {
        let q = db.select().column("stage_key").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("deals")
            .where("pipeline_key", .equal, pipeline.rawValue).where("deleted_at", .is, SQLLiteral.null)
        if let status { q.where("status", .equal, status.rawValue) }
        var out: [StageKey: Int] = [:]
        for row in try await q.groupBy("stage_key").all() {
            out[StageKey(try row.decode(column: "stage_key", as: String.self))] = try row.decode(column: "n", as: Int.self)
        }
        return out
    }

    /// Writes an accepted change of a deal: the deal row, then its stage-log row (when the stage changed) and a
    /// timeline entry per changed field, all in the caller's transaction.
    public func record(_ updated: Deal, previous: Deal, stageLog: StageLogEntry?, actor: Actor, at: Timestamp) async throws {
        if let stageLog, stageLog.deal == updated.id, stageLog.pipeline == updated.pipeline {
            // Entering a stage adds its bit to the deal's mask: the mask the log gives, set in the deal's own update.
            let bit: SQLQueryString = """
                entered_mask | COALESCE((SELECT b.bit FROM stage_bits b WHERE b.pipeline_key = \(bind: stageLog.pipeline.rawValue) \
                AND b.stage_key = \(bind: stageLog.to.rawValue)), 0)
                """
            try await updateLive(DealRecord(updated), id: updated.id.rawValue, also: "entered_mask", to: bit)
            try faults.check(.afterDealUpdate)
            try await insertStageLogRows([stageLog])
        } else {
            try await updateDeal(updated)
            try faults.check(.afterDealUpdate)
            if let stageLog { try await appendStageLog(stageLog) }
        }
        try faults.check(.afterStageLog)
        try await appendTimeline(DealChanges.timeline(from: previous, to: updated, actor: actor, at: at))
        if let notice = Notice.dealAssigned(updated, previous: previous.responsible, by: actor, at: at) { try await insertNotice(notice) }
    }
}

extension StoreSession {
    /// Rows in `deals` and `stage_log`, for benchmarks and status output.
    public func tableSizes() async throws -> (deals: Int, stageLog: Int) {
        let deals = try await db.raw("SELECT COUNT(*) AS n FROM deals").first()?.decode(column: "n", as: Int.self) ?? 0
        let log = try await db.raw("SELECT COUNT(*) AS n FROM stage_log").first()?.decode(column: "n", as: Int.self) ?? 0
        return (deals, log)
    }
}

import AutofunnelCore
import AutofunnelStore

/// The deal commands an import uses, inside its batch's transaction and at the moments the source recorded. They go
/// through the same rules as any change (`Transitions.entry` for where a deal starts, `decideAndRecord` for every
/// move, as actor kind `import`, under the pipeline's `import` policy) but neither run automation rules nor publish
/// webhooks: what is replayed happened elsewhere, and its effects happened there.
extension DealService {
    /// A new deal that started in `stage` at `at`.
    /// `lineage` keeps the source's, so that deals copied across pipelines there stay one lineage here.
    func importCreate(
        in s: StoreSession, pipeline: Pipeline, stage: StageKey, input: DealInput, lineage: LineageID?, actor: Actor, at: Timestamp
    ) async throws -> Deal {
        let catalog = try await s.fieldCatalog()
        var deal = Deal(id: DealID(0), lineage: lineage ?? ids.lineage(), pipeline: pipeline.key, stage: stage, title: "", createdAt: at)
        var problems = try await input.apply(to: &deal, session: s, catalog: catalog)
        if problems.isEmpty {
            problems = Transitions.entry(try await s.snapshot(of: deal), stage: stage, pipeline: pipeline, fields: catalog, actor: actor.kind)
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        deal = try await Self.enteringStage(deal, responsibleOnEntry: pipeline.stage(stage)?.responsibleOnEntry, s)
        let stored = try await s.insertDeal(deal)
        try await s.appendStageLog(StageLogEntry(entering: stored, from: nil, actor: actor, cause: "created", at: at))
        try await s.appendTimeline([
            TimelineEntry(deal: stored.id, at: at, kind: "created", new: stored.stage.rawValue, text: stored.title, actor: actor)
        ])
        return stored
    }

    /// The deal moved to `stage` at `at` (reopened first when it is closed and the stage is open), with `input`
    /// applied to it before the rules are asked.
    @discardableResult
    func importMove(
        in s: StoreSession, _ id: DealID, to stage: StageKey, input: DealInput, lossComment: String?, actor: Actor, pipeline: Pipeline,
        at: Timestamp, cause: String = "import"
    ) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: true)
        let catalog = try await s.fieldCatalog()
        var proposed = deal
        let problems = try await input.apply(to: &proposed, session: s, catalog: catalog)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let target = pipeline.stage(stage)
        let change: StageChange =
            deal.status != .open && target?.isClosing == false
            ? .reopen(reason: "import", to: stage) : .move(to: stage, lossComment: lossComment)
        return try await decideAndRecord(
            proposed, previous: deal, change: change, actor: actor, cause: cause, pipeline: pipeline, catalog: catalog, session: s, now: at,
            publish: false)
    }

    /// The deal's attributes changed at `at`, the stage left alone.
    @discardableResult
    func importUpdate(in s: StoreSession, _ id: DealID, input: DealInput, actor: Actor, at: Timestamp) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: true)
        var updated = deal
        let problems = try await input.apply(to: &updated, session: s, catalog: try await s.fieldCatalog())
        guard problems.isEmpty else { throw AppError.refused(problems) }
        guard updated != deal else { return deal }
        updated.updatedAt = max(at, deal.updatedAt)
        try await s.record(updated, previous: deal, stageLog: nil, actor: actor, at: updated.updatedAt)
        return updated
    }
}

import AutofunnelCore
import AutofunnelStore

/// The deal commands an import uses, inside its batch's transaction and at the moments the source recorded. They go
/// through the same rules as any change (`Transitions.entry` for where a deal starts, `decide` for every move, as
/// actor kind `import`, under the pipeline's `import` policy) but neither run automation rules nor publish webhooks:
/// what is replayed happened elsewhere, and its effects happened there.
///
/// A deal the import meets for the first time is replayed in memory (`DealReplay`): created, moved through its history
/// and given its attributes, each step decided by the one transition path, and written with the other new deals of
/// its batch in a few multi-row statements. A deal imported before is changed in the database, one command at a time.
extension DealService {
    /// A new deal that started in `stage` at `at`, not yet written; `cause` is what the source says made it (a copy
    /// keeps `copy from …`).
    /// `lineage` keeps the source's, so that deals copied across pipelines there stay one lineage here.
    func replayCreate(
        in s: StoreSession, pipeline: Pipeline, stage: StageKey, input: DealInput, lineage: LineageID?, actor: Actor, catalog: FieldCatalog,
        at: Timestamp, cause: String = "created"
    ) async throws -> DealReplay {
        var deal = Deal(id: DealID(0), lineage: lineage ?? ids.lineage(), pipeline: pipeline.key, stage: stage, title: "", createdAt: at)
        var problems = try await input.apply(to: &deal, session: s, catalog: catalog)
        let snapshot = try await s.snapshot(of: deal)
        if problems.isEmpty {
            problems = Transitions.entry(snapshot, stage: stage, pipeline: pipeline, fields: catalog, actor: actor.kind)
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        deal = try await Self.enteringStage(deal, responsibleOnEntry: pipeline.stage(stage)?.responsibleOnEntry, s)
        return DealReplay(
            deal: deal, parties: snapshot, log: [StageLogEntry(entering: deal, from: nil, actor: actor, cause: cause, at: at)],
            timeline: [TimelineEntry(deal: deal.id, at: at, kind: "created", new: deal.stage.rawValue, text: deal.title, actor: actor)])
    }

    /// The replayed deal moved to `stage` at `at` (reopened first when it is closed and the stage is open), with `input`
    /// applied to it before the rules are asked.
    func replayMove(
        _ r: inout DealReplay, in s: StoreSession, to stage: StageKey, input: DealInput, lossComment: String?, actor: Actor, pipeline: Pipeline,
        catalog: FieldCatalog, at: Timestamp, cause: String = "import"
    ) async throws {
        var proposed = r.deal
        let problems = try await input.apply(to: &proposed, session: s, catalog: catalog)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        var snapshot = r.parties
        snapshot.deal = proposed
        let (updated, entry) = try await decide(
            snapshot, change: Self.importChange(from: r.deal, to: stage, pipeline: pipeline, lossComment: lossComment), actor: actor,
            cause: cause, pipeline: pipeline, catalog: catalog, session: s, now: at)
        r.log.append(entry)
        r.timeline += DealChanges.timeline(from: r.deal, to: updated, actor: actor, at: at)
        r.deal = updated
    }

    /// The replayed deal's attributes changed at `at`, the stage left alone.
    func replayUpdate(_ r: inout DealReplay, in s: StoreSession, input: DealInput, actor: Actor, catalog: FieldCatalog, at: Timestamp) async throws {
        var updated = r.deal
        let problems = try await input.apply(to: &updated, session: s, catalog: catalog)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        guard updated != r.deal else { return }
        updated.updatedAt = max(at, r.deal.updatedAt)
        r.timeline += DealChanges.timeline(from: r.deal, to: updated, actor: actor, at: updated.updatedAt)
        r.deal = updated
    }

    /// A stored deal moved to `stage` at `at` (reopened first when it is closed and the stage is open), with `input`
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
        return try await decideAndRecord(
            proposed, previous: deal, change: Self.importChange(from: deal, to: stage, pipeline: pipeline, lossComment: lossComment), actor: actor,
            cause: cause, pipeline: pipeline, catalog: catalog, session: s, now: at, publish: false)
    }

    /// A stored deal's attributes changed at `at`, the stage left alone.
    @discardableResult
    func importUpdate(in s: StoreSession, _ id: DealID, input: DealInput, actor: Actor, at: Timestamp) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: true)
        // The same change a replayed deal gets; `record` writes its timeline entries.
        var r = DealReplay(deal: deal, parties: DealSnapshot(deal: deal), log: [], timeline: [])
        try await replayUpdate(&r, in: s, input: input, actor: actor, catalog: try await s.fieldCatalog(), at: at)
        guard r.deal != deal else { return deal }
        try await s.record(r.deal, previous: deal, stageLog: nil, actor: actor, at: r.deal.updatedAt)
        return r.deal
    }

    /// A move to `stage`, or a reopen into it when the deal is closed and the stage is open.
    static func importChange(from deal: Deal, to stage: StageKey, pipeline: Pipeline, lossComment: String?) -> StageChange {
        deal.status != .open && pipeline.stage(stage)?.isClosing == false
            ? .reopen(reason: "import", to: stage) : .move(to: stage, lossComment: lossComment)
    }
}

/// A new deal's imported life decided in memory: the deal as it ends, its stage-log rows and timeline entries in
/// order. Its id is 0 until the batch writes it.
struct DealReplay: Sendable {
    var deal: Deal
    /// The deal's contact and company as the rules read them (a replay does not change them).
    var parties: DealSnapshot
    var log: [StageLogEntry]
    var timeline: [TimelineEntry]

    /// The rows with the id the deal was stored under.
    func stored(as id: DealID) -> (log: [StageLogEntry], timeline: [TimelineEntry]) {
        (
            log.map {
                var e = $0; e.deal = id; return e
            },
            timeline.map {
                var e = $0; e.deal = id; return e
            }
        )
    }
}

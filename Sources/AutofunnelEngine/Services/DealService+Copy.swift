import AutofunnelCore
import AutofunnelStore

/// Close-and-copy (guide 000, mistake 9): a deal never jumps between pipelines; it closes as won and a copy opens in
/// the target. A deal is copied into a pipeline once: the API, the web card and the `copy_to_pipeline` action alike.
extension DealService {
    /// Close-and-copy: the deal closes as won here and a copy with the same lineage, contact, company, fields and notes
    /// opens in `stage` of the target pipeline. Both happen in one transaction. A deal that already has a copy in the
    /// target answers 409 (`AppError.conflict`) naming that copy.
    public func copy(
        _ id: DealID, to target: PipelineKey, stage: StageKey?, actor: Actor, principal: Principal? = nil
    ) async throws -> (closed: Deal, copy: Deal) {
        let now = clock.now()
        return try await store.write { s in
            let deal = try await s.deal(id, forUpdate: true)
            try Self.authorize(deal, principal, .edit)
            guard principal?.seesPipeline(target) ?? true else { throw Self.noPipeline(target) }
            if let p = principal, !p.creates(in: target, responsible: deal.responsible) {
                throw AppError.forbidden(
                    ru: "Создавать сделки в воронке «\(target)» вам нельзя", en: "You may not create deals in pipeline '\(target)'")
            }
            var cascade = AutomationCascade()
            return try await copyIn(s, deal, to: target, stage: stage, actor: actor, now: now, cascade: &cascade)
        }
    }

    /// Copies `deal`, which the caller has read locked (`forUpdate`) in this transaction: concurrent copies of one
    /// deal wait for each other here, and every one after the first finds the copy and is refused before it writes.
    func copyIn(
        _ s: StoreSession, _ deal: Deal, to target: PipelineKey, stage: StageKey?, actor: Actor, now: Timestamp, cascade: inout AutomationCascade
    ) async throws -> (closed: Deal, copy: Deal) {
        if let existing = try await s.copy(of: deal, in: target) {
            throw AppError.conflict(
                "Deal \(deal.id) was already copied to pipeline '\(target)' as deal \(existing); a deal is copied into a pipeline once")
        }
        guard let targetPipeline = try await s.pipeline(target) else { throw Self.noPipeline(target) }
        var copy: Deal
        switch DealCopy.copy(of: deal, into: targetPipeline, stage: stage, now: now) {
        case .success(let c): copy = c
        case .failure(let r): throw AppError.refused(r.violations)
        }
        // The copy is an open deal: it keeps no link to a contact or company deleted since the original closed.
        copy = try await Self.withoutDeletedLinks(copy, s)
        // The stage the copy starts in may hand the deal to its own responsible, as creating or moving there would.
        copy = try await Self.enteringStage(copy, responsibleOnEntry: targetPipeline.stage(copy.stage)?.responsibleOnEntry, s)
        let catalog = try await s.fieldCatalog()
        let source = try await s.requirePipeline(deal.pipeline, catalog: catalog)
        // An open deal closes as won here; one already closed (lost into nurturing, say) keeps its outcome.
        let closed =
            deal.status != .open
            ? deal
            : try await decideAndRecord(
                deal, change: .move(to: source.wonStage.key, lossComment: nil), actor: actor, cause: "copy to \(target)", pipeline: source,
                catalog: catalog, session: s, now: now)
        let stored = try await s.insertDeal(copy)
        try await s.appendStageLog(StageLogEntry(entering: stored, from: nil, actor: actor, cause: "copy from \(deal.pipeline)", at: now))
        try await Webhooks.publish(from: nil, to: stored, session: s, now: now)
        try await s.appendTimeline([
            TimelineEntry(
                deal: stored.id, at: now, kind: "copy", field: "copiedFrom", new: deal.id.description,
                text: "copy of deal \(deal.id) from \(deal.pipeline)", actor: actor),
            TimelineEntry(
                deal: deal.id, at: now, kind: "copy", field: "copiedTo", new: stored.id.description, text: "copied to \(target) as deal \(stored.id)",
                actor: actor),
        ])
        try await s.copyNotes(from: deal.id, to: stored.id)
        try await automation.automate(
            Automation.events(from: deal, to: closed), deal: deal.id, cause: "deal:\(deal.id):copied:\(ids.occurrence())", session: s, now: now,
            cascade: &cascade)
        try await automation.automate(
            Automation.events(from: nil, to: stored), deal: stored.id, cause: "deal:\(stored.id):created", session: s, now: now, cascade: &cascade)
        return (try await s.deal(deal.id), try await s.deal(stored.id))
    }

    /// `deal` without its links to a contact or company that was deleted: for a deal that opens again (a reopen, a
    /// copy), since an open deal never uses a deleted contact. A live one is locked, as linking one is (`DealInput`).
    static func withoutDeletedLinks(_ deal: Deal, _ s: StoreSession) async throws -> Deal {
        var open = deal
        if let c = deal.contact, try await !DealInput.found({ _ = try await s.contact(c, forUpdate: true) }) { open.contact = nil }
        if let c = deal.company, try await !DealInput.found({ _ = try await s.company(c, forUpdate: true) }) { open.company = nil }
        return open
    }
}

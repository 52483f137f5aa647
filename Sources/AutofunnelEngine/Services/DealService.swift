import AutofunnelCore
import AutofunnelStore

/// Deal commands. Every stage change goes through `Transitions.transition` and is written with its stage-log row and
/// timeline entries in one transaction, together with what automation rules do about it; the API, the CLI, the demo
/// data, the scheduler and the benchmark all call these.
public struct DealService: Sendable {
    public let store: Store
    public let clock: AppClock
    public let ids: IDSource
    public let metrics: AppMetrics
    let bell: TimerBell
    /// The server's address as callers see it: callback URLs of `call_and_wait` and calendar addresses start with it.
    public let publicURL: String

    public init(
        store: Store, clock: AppClock, ids: IDSource, metrics: AppMetrics, bell: TimerBell = TimerBell(), publicURL: String = "http://127.0.0.1:8080"
    ) {
        self.publicURL = publicURL
        self.store = store
        self.clock = clock
        self.ids = ids
        self.metrics = metrics
        self.bell = bell
    }

    /// The automation runner over these commands: what rules do about a change runs in the change's transaction.
    public var automation: AutomationRunner { AutomationRunner(deals: self) }

    /// Creates a deal in `stage` (default: the first stage); starting further on needs the fields of the stages before it.
    /// `principal` is the caller to authorize (nil: the system itself); a deal without a responsible becomes theirs.
    public func create(pipeline key: PipelineKey, stage: StageKey?, input: DealInput, actor: Actor, principal: Principal? = nil) async throws -> Deal
    {
        let now = clock.now()
        return try await store.write { s in
            try await create(in: s, pipeline: key, stage: stage, input: input, actor: actor, principal: principal, now: now)
        }
    }

    func createIn(
        _ s: StoreSession, pipeline key: PipelineKey, stage: StageKey?, input: DealInput, actor: Actor, principal: Principal?, now: Timestamp,
        cascade: inout AutomationCascade
    ) async throws -> Deal {
        let catalog = try await s.fieldCatalog()
        guard let pipeline = try await s.pipeline(key, catalog: catalog), principal?.seesPipeline(key) ?? true else {
            throw AppError.refused([
                .init(rule: .unknownReference, field: "pipeline", message: .init(ru: "Нет воронки «\(key)»", en: "No pipeline '\(key)'"))
            ])
        }
        let start = stage ?? pipeline.firstStage.key
        var deal = Deal(id: DealID(0), lineage: ids.lineage(), pipeline: key, stage: start, title: "", createdAt: now)
        if let p = principal {
            guard p.creates(in: key, responsible: input.responsible) else {
                throw AppError.forbidden(
                    ru: "Создавать сделки в этой воронке (или на другого ответственного) вам нельзя",
                    en: "You may not create deals in this pipeline, or for another responsible")
            }
            try Self.authorize(input, on: deal, p, catalog: catalog)
            deal.responsible = p.user.id
        }
        var problems = try await input.apply(to: &deal, session: s, catalog: catalog)
        if input.title == nil {
            problems.append(.init(rule: .requiredField, field: "title", message: .init(ru: "Нужно название сделки", en: "A deal needs a title")))
        }
        if problems.isEmpty { problems = Transitions.entry(try await s.snapshot(of: deal), stage: start, pipeline: pipeline, fields: catalog) }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        deal = try await Self.enteringStage(deal, responsibleOnEntry: pipeline.stage(start)?.responsibleOnEntry, s)
        let stored = try await s.insertDeal(deal)
        try await s.appendStageLog(StageLogEntry(entering: stored, from: nil, actor: actor, cause: "created", at: now))
        try await s.appendTimeline([
            TimelineEntry(deal: stored.id, at: now, kind: "created", new: stored.stage.rawValue, text: stored.title, actor: actor)
        ])
        if let notice = Notice.dealAssigned(stored, previous: nil, by: actor, at: now) { try await s.insertNotice(notice) }
        try await Webhooks.publish(from: nil, to: stored, session: s, now: now)
        try await automation.automate(
            Automation.events(from: nil, to: stored), deal: stored.id, cause: "deal:\(stored.id):created", session: s, now: now, cascade: &cascade)
        return try await s.deal(stored.id)
    }

    /// Changes attributes other than the stage; every changed field gets a timeline entry.
    /// `prepare` runs first in the same transaction, with the deal as it is: it may write the deal's contact or
    /// company and complete the input, so that all of it is saved or none.
    public func update(
        _ id: DealID, input: DealInput, actor: Actor, principal: Principal? = nil,
        prepare: @Sendable (Deal, inout DealInput, StoreSession) async throws -> Void = { _, _, _ in }
    ) async throws -> Deal {
        let now = clock.now()
        return try await store.write { s in try await update(in: s, id, input: input, actor: actor, principal: principal, now: now, prepare: prepare)
        }
    }

    @discardableResult
    func updateIn(_ s: StoreSession, _ id: DealID, input: DealInput, actor: Actor, now: Timestamp, cascade: inout AutomationCascade) async throws
        -> Deal
    {
        let deal = try await s.deal(id, forUpdate: true)
        var updated = deal
        let problems = try await input.apply(to: &updated, session: s, catalog: try await s.fieldCatalog())
        guard problems.isEmpty else { throw AppError.refused(problems) }
        guard updated != deal else { return deal }
        updated.updatedAt = now
        try await s.record(updated, previous: deal, stageLog: nil, actor: actor, at: now)
        try await automation.automate(
            Automation.events(from: deal, to: updated), deal: id, cause: "deal:\(id):update:\(ids.occurrence())", session: s, now: now,
            cascade: &cascade)
        return try await s.deal(id)
    }

    /// Moves a deal (closing it when the target is a won or lost stage); `input` is applied first, in the same transaction.
    public func move(
        _ id: DealID, to stage: StageKey, input: DealInput = DealInput(), lossComment: String? = nil, actor: Actor, principal: Principal? = nil
    ) async throws -> Deal {
        try await change(id, input: input, actor: actor, principal: principal, need: .edit) { _, _ in .move(to: stage, lossComment: lossComment) }
    }

    /// Closes a deal as won, or as lost into the lost stage named by `reason`.
    public func close(_ id: DealID, won: Bool, reason: StageKey?, comment: String?, actor: Actor, principal: Principal? = nil) async throws -> Deal {
        try await change(id, input: DealInput(), actor: actor, principal: principal, need: .edit) { pipeline, _ in
            if won { return .move(to: pipeline.wonStage.key, lossComment: nil) }
            guard let reason else {
                throw AppError.refused([
                    .init(
                        rule: .requiredField, field: "reason",
                        message: .init(
                            ru: "Укажите причину отказа: \(pipeline.lostStages.map(\.key.rawValue).joined(separator: ", "))",
                            en: "Give the loss reason: \(pipeline.lostStages.map(\.key.rawValue).joined(separator: ", "))"))
                ])
            }
            guard pipeline.stage(reason)?.outcome == .lost else {
                throw AppError.refused([
                    .init(
                        rule: .notALostStage, field: "reason", stage: reason,
                        message: .init(ru: "«\(reason)» — не причина отказа этой воронки", en: "'\(reason)' is not a loss reason of this pipeline"))
                ])
            }
            return .move(to: reason, lossComment: comment)
        }
    }

    /// Reopens a closed deal into `stage`, or into the stage it was in before it closed.
    public func reopen(_ id: DealID, reason: String, stage: StageKey?, actor: Actor, principal: Principal? = nil) async throws -> Deal {
        try await change(id, input: DealInput(), actor: actor, principal: principal, need: .manage) { pipeline, s in
            let fallback = try await s.stageBeforeClosing(deal: id) ?? pipeline.firstStage.key
            return .reopen(reason: reason, to: stage ?? fallback)
        }
    }

    /// Why a stage change into another pipeline is refused (the dialects of other CRMs can ask for one).
    public static func crossPipeline(field: String) -> Violation {
        Violation(
            rule: .invalidValue, field: field,
            message: .init(
                ru: "Сделка не переходит между воронками: закройте её и скопируйте в другую",
                en: "A deal never moves between pipelines: close it as won and copy it into the other one"))
    }

    public static func noPipeline(_ key: PipelineKey) -> AppError {
        .refused([.init(rule: .unknownReference, field: "pipeline", message: .init(ru: "Нет воронки «\(key)»", en: "No pipeline '\(key)'"))])
    }

    /// Deletes a deal; its stage log stays for the reports, its timers go.
    public func delete(_ id: DealID, principal: Principal? = nil) async throws {
        let now = clock.now()
        try await store.write { s in
            try Self.authorize(try await s.deal(id, forUpdate: true), principal, .manage)
            try await s.deleteDeal(id, at: now)
            try await s.cancelTimers(deal: id)
        }
    }

    private func change(
        _ id: DealID, input: DealInput, actor: Actor, principal: Principal?, need: DealNeed,
        _ decide: @escaping @Sendable (Pipeline, StoreSession) async throws -> StageChange
    ) async throws -> Deal {
        let now = clock.now()
        return try await store.write { s in
            try await change(in: s, id, input: input, actor: actor, principal: principal, need: need, now: now, decide)
        }
    }

    func change(
        in s: StoreSession, _ id: DealID, input: DealInput, actor: Actor, principal: Principal?, need: DealNeed, now: Timestamp,
        _ decide: @escaping @Sendable (Pipeline, StoreSession) async throws -> StageChange
    ) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: true)
        let catalog = try await s.fieldCatalog()
        try Self.authorize(deal, principal, need)
        try Self.authorize(input, on: deal, principal, catalog: catalog)
        let pipeline = try await s.requirePipeline(deal.pipeline, catalog: catalog)
        var proposed = deal
        let problems = try await input.apply(to: &proposed, session: s, catalog: catalog)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let change = try await decide(pipeline, s)
        // A closed deal keeps its link to a contact deleted since; reopened, it lets go of it (a timeline entry says so).
        if case .reopen = change { proposed = try await Self.withoutDeletedLinks(proposed, s) }
        let updated = try await decideAndRecord(
            proposed, previous: deal, change: change, actor: actor, cause: nil, pipeline: pipeline, catalog: catalog, session: s, now: now)
        var cascade = AutomationCascade(catalog: catalog, pipelines: [pipeline.key: pipeline])
        try await automation.automate(
            Automation.events(from: deal, to: updated), deal: id, cause: "deal:\(id):change:\(ids.occurrence())", session: s, now: now,
            cascade: &cascade,
            pipelineHint: pipeline.key)
        return cascade.touched ? try await s.deal(id) : updated
    }

    /// A stage change made by a rule, inside the cascade's transaction.
    func transitionIn(_ s: StoreSession, _ id: DealID, _ change: StageChange, cause: String, now: Timestamp, cascade: inout AutomationCascade)
        async throws
    {
        let deal = try await s.deal(id, forUpdate: true)
        let catalog = try await cascade.catalog(s)
        guard let pipeline = try await cascade.pipeline(deal.pipeline, s) else { throw Self.noPipeline(deal.pipeline) }
        let updated = try await decideAndRecord(
            deal, change: change, actor: Actor(kind: .automation), cause: cause, pipeline: pipeline, catalog: catalog, session: s, now: now)
        try await automation.automate(
            Automation.events(from: deal, to: updated), deal: id, cause: "deal:\(id):\(cause):\(ids.occurrence())", session: s, now: now,
            cascade: &cascade)
    }

    /// Asks the one transition path, then writes the deal, its stage-log row and timeline entries, and ends what leaving
    /// the stage ends.
    /// `publish: false` for a replayed history (an import): the move happened elsewhere, and webhook subscribers
    /// heard of it then.
    func decideAndRecord(
        _ proposed: Deal, previous: Deal? = nil, change: StageChange, actor: Actor, cause: String?, pipeline: Pipeline, catalog: FieldCatalog,
        session s: StoreSession, now: Timestamp, publish: Bool = true
    ) async throws -> Deal {
        let (updated, entry) = try await decide(
            try await s.snapshot(of: proposed), change: change, actor: actor, cause: cause, pipeline: pipeline, catalog: catalog, session: s,
            now: now)
        try await s.record(updated, previous: previous ?? proposed, stageLog: entry, actor: actor, at: now)
        try await leave(previous ?? proposed, for: updated, pipeline: pipeline, session: s, now: now)
        if publish { try await Webhooks.publish(from: previous ?? proposed, to: updated, session: s, now: now) }
        return updated
    }

    /// The one transition path's answer for a change of `snapshot`'s deal: the deal after it (handed to the entered
    /// stage's responsible, if it names one) and its stage-log row, or the refusal thrown. Writes nothing.
    func decide(
        _ snapshot: DealSnapshot, change: StageChange, actor: Actor, cause: String?, pipeline: Pipeline, catalog: FieldCatalog,
        session s: StoreSession, now: Timestamp
    ) async throws -> (Deal, StageLogEntry) {
        switch Transitions.transition(snapshot, change, actor: actor.kind, pipeline: pipeline, fields: catalog, now: now) {
        case .failure(let refusal):
            metrics.moveRefused(rules: refusal.violations.map(\.rule.rawValue))
            throw AppError.refused(refusal.violations)
        case .success(let accepted):
            let updated = try await Self.enteringStage(accepted.deal, responsibleOnEntry: accepted.responsibleOnEntry, s)
            metrics.moveAccepted(direction: accepted.direction.rawValue)
            return (updated, StageLogEntry(entering: updated, from: accepted.from, actor: actor, cause: cause ?? accepted.cause, at: now))
        }
    }
}

import AutofunnelCore
import AutofunnelStore

/// The automation runner: it feeds the events of a change to the pure engine (`Automation.evaluate`) and applies the
/// effects in the change's own transaction, so a rule's task, move or timer commits with its cause or not at all.
/// Every move it makes goes through the deal service's one transition path; the scheduler hands it due timers, the
/// callback and channel routes hand it answers from outside.
public struct AutomationRunner: Sendable {
    /// The deal commands the runner's actions go through.
    let deals: DealService

    init(deals: DealService) { self.deals = deals }

    var store: Store { deals.store }
    var clock: AppClock { deals.clock }
    var metrics: AppMetrics { deals.metrics }
    var bell: TimerBell { deals.bell }

    /// The longest chain of rule-caused events; deeper, the runner stops and writes an automation error.
    static let cascadeLimit = 8

    /// Runs the rules for `events` of a deal, then for the events their actions cause, up to the cascade limit.
    /// `cause` names what happened (a log row, a timer) and keys the exactly-once ledger.
    func automate(
        _ events: [AutomationEvent], deal id: DealID, cause: String, session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade,
        pipelineHint: PipelineKey? = nil
    ) async throws {
        guard !events.isEmpty else { return }
        if cascade.depth > 0 { metrics.cascadeDepth(cascade.depth) }
        if cascade.depth >= Self.cascadeLimit {
            try await recordError(
                TimelineEntry(
                    deal: id, at: now, kind: "automation_error",
                    text: "Automation stopped: a chain of more than \(Self.cascadeLimit) rule-caused events", actor: Actor(kind: .automation)),
                session: s)
            metrics.automationCascadeLimit()
            return
        }
        // Most pipelines have few rules: with none, the events cost nothing more.
        var key = pipelineHint
        if key == nil { key = try await s.dealPipeline(id) }
        guard let pipelineKey = key, let rules = try await cascade.pipeline(pipelineKey, s), !rules.automations.isEmpty else { return }
        // A deal never changes pipeline (a copy is a new deal), so the rules are those of `pipelineKey` throughout.
        let pipeline = rules
        for event in events where Automation.concerns(event, pipeline: pipeline) {
            cascade.touched = true
            let snapshot = try await s.dealSnapshot(id)
            let effects = Automation.evaluate(event, snapshot: snapshot, pipeline: pipeline, now: now)
            var firing: Set<String> = []
            // One ledger row per rule and cause: a rule's actions for one event are applied together in this transaction.
            var claimed: [String: Bool] = [:]
            for effect in effects {
                switch effect {
                case .setTimer(let rule, let stage, let at):
                    if Automation.stillIn(snapshot.deal, stage) {
                        try await s.insertTimer(deal: id, stage: stage, rule: rule, dueAt: at, at: now)
                        // Rung before the commit: if the scheduler looks too soon, it still looks again within its longest sleep.
                        bell.ring()
                    }
                case .setDateTimer(let rule, let at):
                    try await s.setDateTimer(deal: id, rule: rule, dueAt: at, at: now)
                    if at != nil { bell.ring() }
                case .act(let rule, let index, let action):
                    let mark = "\(id):\(rule)"
                    // A rule never re-triggers itself on the same deal within one cascade.
                    if cascade.fired.contains(mark) && !firing.contains(mark) { continue }
                    firing.insert(mark)
                    cascade.fired.insert(mark)
                    if claimed[rule] == nil { claimed[rule] = try await s.claimRun(cause: cause, rule: rule, action: 0, at: now) }
                    guard claimed[rule] == true else { continue }
                    do {
                        try await apply(action, rule: rule, deal: id, pipeline: pipeline, session: s, now: now, cascade: &cascade)
                    } catch let error where AppError.from(error) != nil {
                        try await recordError(
                            TimelineEntry(
                                deal: id, at: now, kind: "automation_error", field: rule,
                                text: "Rule \(rule), action \(index + 1): \(Self.describe(error))", actor: Actor(kind: .automation)),
                            session: s)
                    }
                }
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        switch AppError.from(error) {
        case .refused(let v)?, .forbidden(let v)?: return v.map(\.message.en).joined(separator: "; ")
        case .notFound(let m)?, .conflict(let m)?: return m
        default: return "\(error)"
        }
    }
}

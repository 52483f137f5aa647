import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// Moves every deal of a stage the pipeline's new definition removed into the stage its `stageMapping` names, in
    /// the caller's transaction (the apply's), each through the one transition path with the effects of any move:
    /// stage-log row, entered-stage mask, the old stage's tasks closed and timers cancelled, webhooks, automation.
    /// Returns how many deals moved.
    func remapDeals(in s: StoreSession, pipeline key: PipelineKey, from old: StageKey, to new: StageKey, now: Timestamp) async throws -> Int {
        let catalog = try await s.fieldCatalog()
        let pipeline = try await s.requirePipeline(key, catalog: catalog)
        let actor = Actor(kind: .import)
        let moving = try await s.deals(DealFilter(pipeline: key, stage: old), after: nil, limit: Int(Int32.max)).items.map(\.id)
        var shared = AutomationCascade(catalog: catalog, pipelines: [key: pipeline])
        for id in moving {
            let deal = try await s.deal(id, forUpdate: true)
            let updated = try await decideAndRecord(
                deal, change: .remap(to: new), actor: actor, cause: nil, pipeline: pipeline, catalog: catalog, session: s, now: now)
            var cascade = AutomationCascade(sharing: shared)
            try await automation.automate(
                Automation.events(from: deal, to: updated), deal: id, cause: "deal:\(id):remap:\(ids.occurrence())", session: s, now: now,
                cascade: &cascade, pipelineHint: key)
            shared.keepDefinitions(of: cascade)
        }
        return moving.count
    }
}

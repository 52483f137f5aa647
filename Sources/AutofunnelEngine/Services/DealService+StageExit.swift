import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// What leaving a stage ends whatever the rules say: the stage's open tasks close, its timers are cancelled.
    func leave(_ old: Deal, for new: Deal, pipeline: Pipeline, session s: StoreSession, now: Timestamp) async throws {
        guard old.stage != new.stage || old.status != new.status else { return }
        try await s.closeStageTasks(deal: old.id, stage: old.stage, at: now)
        try await s.cancelTimers(deal: old.id, stage: old.stage)
        // Only pipelines with a call_and_wait rule have waits to cancel, and a stage a definition removed may have had one.
        let waits = pipeline.automations.contains { $0.actions.contains { if case .callAndWait = $0 { true } else { false } } }
        if waits || pipeline.stage(old.stage) == nil {
            try await s.cancelWaits(deal: old.id, stage: old.stage, at: now)
        }
    }
}

import AutofunnelCore
import AutofunnelStore

/// What a due timer does, once the scheduler holds its lease, in the scheduler's transaction.
extension AutomationRunner {
    /// Fires one timer: an overdue task's notice and rules, a wait's timeout branch, or a rule's time-in-stage or date
    /// timer. A stage timer whose deal has left the stage or closed does nothing.
    func fire(_ timer: DueTimer, session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade) async throws {
        if timer.rule == DueTimer.taskOverdue, let taskID = timer.task {
            try await taskOverdue(taskID, timer: timer, session: s, now: now, cascade: &cascade)
        } else if timer.rule == DueTimer.waitTimeout, let token = timer.waitToken {
            try await waitTimedOut(token, session: s, now: now, cascade: &cascade)
        } else if let deal = try? await s.deal(timer.deal), timer.stage == DueTimer.anyStage || Automation.stillIn(deal, timer.stage) {
            // Date rules fire on closed deals too (a lost customer's next purchase); stage rules only while the deal stays.
            try await automate(
                [.timerFired(rule: timer.rule)], deal: timer.deal, cause: timer.occurrence, session: s, now: now, cascade: &cascade,
                pipelineHint: deal.pipeline)
        }
    }

    /// An open task passed its due time: its creator (else the deal's head of sales) gets a notice, and the rules on
    /// overdue tasks run.
    func taskOverdue(_ id: TaskID, timer: DueTimer, session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade) async throws {
        guard let task = try? await s.task(id), task.status == .open, let deal = try? await s.deal(task.deal) else { return }
        if let notice = Notice.taskOverdue(task, deal: deal, at: now) { try await s.insertNotice(notice) }
        try await automate(
            [.taskOverdue], deal: deal.id, cause: timer.occurrence, session: s, now: now, cascade: &cascade, pipelineHint: deal.pipeline)
    }
}

import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// A task made by hand on a deal the caller may change; it belongs to no stage, so it stays when the deal moves on.
    public func createTask(
        deal id: DealID, title: String, text: String?, dueAt: Timestamp, assignee: UserID?, principal: Principal?
    ) async throws -> DealTask {
        let now = clock.now()
        let cleanTitle = title.trimmed
        guard (1...500).contains(cleanTitle.count) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "title",
                    message: .init(ru: "Название задачи: от 1 до 500 символов", en: "A task title has 1 to 500 characters"))
            ])
        }
        return try await store.write { s in
            let deal = try await s.deal(id, forUpdate: true)
            try Self.authorize(deal, principal, .edit)
            if let assignee { _ = try await s.user(assignee) }
            let task = try await s.insertTask(
                DealTask(
                    id: TaskID(0), deal: id, title: cleanTitle, text: text, assignee: assignee ?? deal.responsible, creator: principal?.user.id,
                    dueAt: dueAt, createdAt: now))
            try await s.appendTimeline([TimelineEntry(deal: id, at: now, kind: "task", text: cleanTitle, actor: principal?.actor)])
            return task
        }
    }

    /// Completes an open task; the rules on task completion run in the same transaction. The assignee may complete
    /// it; so may whoever may change the deal.
    public func completeTask(_ id: TaskID, principal: Principal?) async throws -> DealTask {
        let now = clock.now()
        return try await store.write { s in
            let task = try await s.task(id)
            let deal = try await s.deal(task.deal, forUpdate: true)
            if let p = principal, !(p.sees(deal) && task.assignee == p.user.id && p.mayWrite) {
                try Self.authorize(deal, p, .edit)
            }
            guard task.status == .open else { throw AppError.conflict("Task \(id) is \(task.status.rawValue) already") }
            try await s.finishTask(id, status: .done, at: now)
            try await s.appendTimeline([TimelineEntry(deal: deal.id, at: now, kind: "task_done", text: task.title, actor: principal?.actor)])
            var cascade = Cascade()
            try await automate([.taskCompleted(rule: task.rule)], deal: deal.id, cause: "task:\(id):done", session: s, now: now, cascade: &cascade)
            return try await s.task(id)
        }
    }
}

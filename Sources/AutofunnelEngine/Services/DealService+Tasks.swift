import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// A task made by hand on a deal the caller may change; it belongs to no stage, so it stays when the deal moves on.
    public func createTask(
        deal id: DealID, title: String, text: String?, dueAt: Timestamp, assignee: UserID?, principal: Principal?, kind: DealTask.Kind = .task
    ) async throws -> DealTask {
        let now = clock.now()
        let cleanTitle = try Self.taskTitle(title)
        return try await store.write { s in
            try await createTask(
                in: s, deal: id, title: cleanTitle, text: text, dueAt: dueAt, assignee: assignee, principal: principal, now: now, kind: kind)
        }
    }

    /// `createTask` inside the caller's transaction (the title already checked), so that several tasks are saved
    /// together or not at all.
    public func createTask(
        in s: StoreSession, deal id: DealID, title: String, text: String?, dueAt: Timestamp, assignee: UserID?, principal: Principal?, now: Timestamp,
        kind: DealTask.Kind = .task
    ) async throws -> DealTask {
        // Every channel's due time arrives here: one bound for all of them.
        guard Timestamp.accepted.contains(dueAt) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "dueAt", message: .init(ru: "Срок задачи — с 1 по 9999 год", en: "A task is due in years 1 to 9999"))
            ])
        }
        if let text, let unstorable = UserText.unstorable(text, field: "text") { throw AppError.refused([unstorable]) }
        let deal = try await s.deal(id, forUpdate: true)
        try Self.authorize(deal, principal, .edit)
        if let assignee { _ = try await s.user(assignee) }
        let task = try await s.insertTask(
            DealTask(
                id: TaskID(0), deal: id, title: title, text: text, assignee: assignee ?? deal.responsible, creator: principal?.user.id,
                dueAt: dueAt, createdAt: now, kind: kind))
        try await s.appendTimeline([TimelineEntry(deal: id, at: now, kind: "task", text: title, actor: principal?.actor)])
        return task
    }

    /// Completes an open task; the rules on task completion run in the same transaction. The assignee may complete
    /// it; so may whoever may change the deal. A `result` ("called, will pay Friday") becomes a note on the deal.
    public func completeTask(_ id: TaskID, result: String? = nil, principal: Principal?) async throws -> DealTask {
        let now = clock.now()
        if let result, let unstorable = UserText.unstorable(result, field: "result") { throw AppError.refused([unstorable]) }
        return try await store.write { s in
            let (task, deal) = try await Self.openTask(id, principal: principal, s)
            try await s.finishTask(id, status: .done, at: now)
            if let result = result?.trimmed, !result.isEmpty {
                _ = try await s.insertNote(deal: deal.id, text: "\(task.title): \(result)", author: principal?.user.id, at: now)
            }
            try await s.appendTimeline([TimelineEntry(deal: deal.id, at: now, kind: "task_done", text: task.title, actor: principal?.actor)])
            var cascade = AutomationCascade()
            try await automation.automate(
                [.taskCompleted(rule: task.rule)], deal: deal.id, cause: "task:\(id):done", session: s, now: now, cascade: &cascade)
            return try await s.task(id)
        }
    }

    /// Moves an open task's due time by `days` from now or from its due time, whichever is later; its overdue timer
    /// moves with it. Who may complete the task may postpone it.
    public func postponeTask(_ id: TaskID, days: Int, principal: Principal?) async throws -> DealTask {
        let now = clock.now()
        guard (1...365).contains(days) else {
            throw AppError.refused([
                .init(rule: .invalidValue, field: "days", message: .init(ru: "Отложить можно на 1–365 дней", en: "Postpone by 1 to 365 days"))
            ])
        }
        return try await store.write { s in
            let (task, deal) = try await Self.openTask(id, principal: principal, s)
            let due = max(now, task.dueAt).adding(millis: Int64(days) * 86_400_000)
            let moved = try await s.rescheduleTask(id, dueAt: due, at: now)
            try await s.appendTimeline([
                TimelineEntry(deal: deal.id, at: now, kind: "task_postponed", text: task.title, actor: principal?.actor)
            ])
            return moved
        }
    }

    /// Moves an open task to a chosen time (within years 1 to 9999); its overdue timer moves with it. Who may complete
    /// the task may reschedule it.
    public func rescheduleTask(_ id: TaskID, to due: Timestamp, principal: Principal?) async throws -> DealTask {
        let now = clock.now()
        guard Timestamp.accepted.contains(due) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "dueAt", message: .init(ru: "Срок задачи — с 1 по 9999 год", en: "A task is due in years 1 to 9999"))
            ])
        }
        return try await store.write { s in
            let (task, deal) = try await Self.openTask(id, principal: principal, s)
            let moved = try await s.rescheduleTask(id, dueAt: due, at: now)
            try await s.appendTimeline([
                TimelineEntry(deal: deal.id, at: now, kind: "task_postponed", text: task.title, actor: principal?.actor)
            ])
            return moved
        }
    }

    /// An open task and its deal (locked), when the caller may act on it: its assignee, or whoever may change the deal.
    static func openTask(_ id: TaskID, principal: Principal?, _ s: StoreSession) async throws -> (DealTask, Deal) {
        let task = try await s.task(id)
        let deal = try await s.deal(task.deal, forUpdate: true)
        if let p = principal, !(p.sees(deal) && task.assignee == p.user.id && p.mayWrite) {
            try authorize(deal, p, .edit)
        }
        guard task.status == .open else { throw AppError.conflict("Task \(id) is \(task.status.rawValue) already") }
        return (task, deal)
    }

    /// A task title, trimmed, of 1 to 500 characters.
    public static func taskTitle(_ title: String) throws -> String {
        let clean = title.trimmed
        if let unstorable = UserText.unstorable(clean, field: "title") { throw AppError.refused([unstorable]) }
        guard (1...500).contains(clean.count) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "title",
                    message: .init(ru: "Название задачи: от 1 до 500 символов", en: "A task title has 1 to 500 characters"))
            ])
        }
        return clean
    }
}

import AutofunnelCore
import AutofunnelStore

extension APIHandler {
    func listTasks(_ input: Operations.listTasks.Input) async throws -> Operations.listTasks.Output {
        let p = try principal()
        let q = input.query
        let now = services.clock.now()
        let filter = TaskFilter(
            deal: q.dealId.map { DealID($0) }, assignee: q.assigneeId.map { UserID($0) },
            status: q.status.flatMap { DealTask.Status(rawValue: $0.rawValue) },
            overdueAt: q.overdue == true ? now : nil)
        let visible = try await visibleTasks(filter, principal: p)
        return .ok(.init(body: .json(.init(items: visible.map { SchemaMapping.task($0, now: now) }))))
    }

    /// The tasks matching `filter` (up to `limit`) on deals `p` may see, in the store's order; their titles and texts
    /// without the deal's values hidden from `p`.
    func visibleTasks(_ filter: TaskFilter, principal p: Principal, limit: Int = 500) async throws -> [DealTask] {
        try await store.read { s in
            let view = FieldView(p, catalog: try await s.fieldCatalog())
            // Whether anything needs cleaning is the reader's, not the task's: asked once.
            let everything = view.showsEverything
            var out: [DealTask] = []
            var seen: [DealID: DealSnapshot?] = [:]
            for task in try await s.tasks(filter, limit: limit) {
                if seen[task.deal] == nil {
                    let deal = (try? await s.deal(task.deal)).flatMap { p.sees($0) ? $0 : nil }
                    seen[task.deal] = try await deal.asyncMap { everything ? DealSnapshot(deal: $0) : try await s.snapshot(of: $0) }
                }
                if case .some(.some(let snapshot)) = seen[task.deal] { out.append(view.task(task, in: snapshot)) }
            }
            return out
        }
    }

    /// A task of a deal the caller may see, else not found; its title and text without the deal's values hidden from the
    /// caller.
    func visibleTask(_ id: TaskID) async throws -> DealTask {
        try await store.read { s in
            let task = try await s.task(id)
            let deal = try await visibleDeal(task.deal, in: s)
            return try self.view(try await s.fieldCatalog()).task(task, in: try await s.snapshot(of: deal))
        }
    }

    func createTask(_ input: Operations.createTask.Input) async throws -> Operations.createTask.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let task = try await services.deals.createTask(
            deal: DealID(b.dealId), title: b.title, text: b.text, dueAt: try SchemaMapping.timestamp(b.dueAt, field: "dueAt"),
            assignee: b.assigneeId.map { UserID($0) },
            principal: try principal())
        return .created(.init(body: .json(SchemaMapping.task(task, now: services.clock.now()))))
    }

    func completeTask(_ input: Operations.completeTask.Input) async throws -> Operations.completeTask.Output {
        let p = try principal()
        let id = TaskID(input.path.id)
        // A task on a deal the caller may not see does not exist for them.
        let visible = try await store.read { s in p.sees(try await s.deal(try await s.task(id).deal)) }
        guard visible else { throw AppError.notFound("No task with id \(id)") }
        let task = try await services.deals.completeTask(id, principal: p)
        return .ok(.init(body: .json(SchemaMapping.task(task, now: services.clock.now()))))
    }
}

extension APIHandler {
    func listNotices(_ input: Operations.listNotices.Input) async throws -> Operations.listNotices.Output {
        let p = try principal()
        let notices = try await store.read { s in try await s.notices(user: p.user.id, unreadOnly: input.query.unread == true) }
        return .ok(.init(body: .json(.init(items: notices.map(SchemaMapping.notice)))))
    }

    func readNotice(_ input: Operations.readNotice.Input) async throws -> Operations.readNotice.Output {
        let p = try principal()
        let now = services.clock.now()
        // Another user's notice does not exist for the caller, whatever their role.
        guard try await store.write({ s in try await s.markNoticeRead(input.path.id, user: p.user.id, at: now) }) else {
            throw AppError.notFound("No notice with id \(input.path.id)")
        }
        return .noContent(.init())
    }
}

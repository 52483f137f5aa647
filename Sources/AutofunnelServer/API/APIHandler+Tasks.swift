import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension APIHandler {
    func listTasks(_ input: Operations.listTasks.Input) async throws -> Operations.listTasks.Output {
        let p = try principal()
        let q = input.query
        let now = services.clock.now()
        let filter = TaskFilter(
            deal: q.dealId.map { DealID($0) }, assignee: q.assigneeId.map { UserID($0) },
            status: q.status.flatMap { DealTask.Status(rawValue: $0.rawValue) },
            overdueAt: q.overdue == true ? now : nil, kind: q.kind.flatMap { DealTask.Kind(rawValue: $0.rawValue) })
        let visible = try await RecordAccess(principal: p, store: store).tasks(filter)
        return .ok(.init(body: .json(.init(items: visible.map { SchemaMapping.task($0, now: now) }))))
    }

    func createTask(_ input: Operations.createTask.Input) async throws -> Operations.createTask.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let task = try await services.deals.createTask(
            deal: DealID(b.dealId), title: b.title, text: b.text, dueAt: try SchemaMapping.timestamp(b.dueAt, field: "dueAt"),
            assignee: b.assigneeId.map { UserID($0) },
            principal: try principal(), kind: b.kind.flatMap { DealTask.Kind(rawValue: $0.rawValue) } ?? .task)
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

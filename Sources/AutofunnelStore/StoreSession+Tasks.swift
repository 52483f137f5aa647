import AutofunnelCore
import SQLKit

extension StoreSession {
    private func taskQuery() -> SQLSelectBuilder { db.select().column(SQLNames(TaskRecord.columns)).from("tasks") }

    /// Stores a task and returns it with its id.
    /// A task due later than it is created gets a timer that notices when it becomes overdue.
    public func insertTask(_ task: DealTask) async throws -> DealTask {
        var record = TaskRecord(task)
        record.id = try await insertReturningID("tasks", record)
        let stored = record.task()
        if stored.status == .open && stored.dueAt > stored.createdAt { try await insertTaskTimer(stored, at: stored.createdAt) }
        return stored
    }

    /// The task with this id.
    public func task(_ id: TaskID) async throws -> DealTask {
        guard let r = try await taskQuery().where("id", .equal, id.rawValue).first(decoding: TaskRecord.self) else {
            throw StoreError.notFound(entity: "task", id: id.description)
        }
        return r.task()
    }

    /// Tasks matching the filter, oldest due first.
    public func tasks(_ f: TaskFilter, limit: Int = 500) async throws -> [DealTask] {
        let q = taskQuery()
        if let d = f.deal { q.where("deal_id", .equal, d.rawValue) }
        if let a = f.assignee { q.where("assignee_id", .equal, a.rawValue) }
        if let s = f.status { q.where("status", .equal, s.rawValue) }
        if let t = f.overdueAt { q.where("status", .equal, DealTask.Status.open.rawValue).where("due_at", .lessThan, t.millis) }
        if let k = f.kind { q.where("kind", .equal, k.rawValue) }
        if let p = f.pipeline {
            q.where(
                SQLIdentifier("deal_id"), .in,
                SQLGroupExpression(db.select().column("id").from("deals").where("pipeline_key", .equal, p.rawValue).query))
        }
        if let scope = f.scope {
            let deals = db.select().column("id").from("deals").where("deleted_at", .is, SQLLiteral.null)
            Self.restrict(deals, to: scope)
            q.where(SQLIdentifier("deal_id"), .in, SQLGroupExpression(deals.query))
        }
        return try await q.orderBy("due_at").orderBy("id").limit(limit).all(decoding: TaskRecord.self).map { $0.task() }
    }

    /// Every deal's tasks by id, the page after `after` (nil: the first), for an export.
    public func tasks(after: Int64?, limit: Int) async throws -> Page<DealTask> {
        let query = taskQuery()
        if let after { query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(max(1, limit) + 1).all(decoding: TaskRecord.self)
        let page = rows.prefix(max(1, limit))
        return Page(items: page.map { $0.task() }, nextAfter: rows.count > page.count ? page.last?.id : nil)
    }

    /// Marks a task done or closed.
    public func finishTask(_ id: TaskID, status: DealTask.Status, at: Timestamp) async throws {
        try await cancelTaskTimer(id)
        try await db.update("tasks").set("status", to: status.rawValue).set("completed_at", to: at.millis).where("id", .equal, id.rawValue).run()
    }

    /// Closes the open tasks made for a stage of a deal (the deal left it), in one statement. Their due-time timers
    /// carry the stage too and go with the stage's timers.
    public func closeStageTasks(deal: DealID, stage: StageKey, at: Timestamp) async throws {
        try await db.raw(
            """
            UPDATE tasks SET status = \(bind: DealTask.Status.closed.rawValue), completed_at = \(bind: at.millis) \
            WHERE deal_id = \(bind: deal.rawValue) AND stage_key = \(bind: stage.rawValue) AND status = \(bind: DealTask.Status.open.rawValue)
            """
        ).run()
    }
}

import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Stores a notice for its user.
    public func insertNotice(_ n: Notice) async throws {
        let record = NoticeRecord(
            id: nil, user_id: n.user.rawValue, deal_id: n.deal?.rawValue, task_id: n.task?.rawValue, kind: n.kind, text: n.text,
            created_at: n.createdAt.millis, read_at: nil)
        try await db.raw(insertStatement(into: "notices", record)).run()
    }

    /// A user's notices, newest first.
    public func notices(user: UserID, unreadOnly: Bool, limit: Int = 200) async throws -> [Notice] {
        let q = db.select().columns("id", "user_id", "deal_id", "task_id", "kind", "text", "created_at", "read_at").from("notices").where(
            "user_id", .equal, user.rawValue)
        if unreadOnly { q.where("read_at", .is, SQLLiteral.null) }
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: NoticeRecord.self).map { $0.notice() }
    }

    /// Marks a notice of this user read; false when the user has no such notice.
    public func markNoticeRead(_ id: Int64, user: UserID, at: Timestamp) async throws -> Bool {
        let found = try await db.select().column("id").from("notices").where("id", .equal, id).where("user_id", .equal, user.rawValue).first()
        guard found != nil else { return false }
        try await db.update("notices").set("read_at", to: at.millis).where("id", .equal, id).where("read_at", .is, SQLLiteral.null).run()
        return true
    }

    /// Sets the timer that fires when a task passes its due time.
    public func insertTaskTimer(_ task: DealTask, at: Timestamp) async throws {
        try await db.raw(
            insertStatement(
                into: "timers", columns: SQLNames("deal_id", "stage_key", "rule_key", "due_at", "created_at", "task_id", "occurrence"),
                rows: [
                    [
                        task.deal.rawValue, task.stage?.rawValue ?? "", DueTimer.taskOverdue, task.dueAt.millis, at.millis, task.id.rawValue,
                        TimerRecord.newOccurrence(),
                    ]
                ])
        ).run()
    }

    /// Cancels the due-time timer of a task that is done or closed.
    public func cancelTaskTimer(_ task: TaskID) async throws {
        try await db.delete(from: "timers").where("task_id", .equal, task.rawValue).run()
    }
}

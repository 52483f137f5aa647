import SQLKit

extension Migrations {
    /// Automation: tasks, durable timers, the exactly-once ledger of rule actions, and small rule state (round-robin).
    @Sendable static func createAutomation(_ db: any SQLDatabase) async throws {
        try await db.create(table: "tasks")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("title", type: .text, .notNull)
            .column("text", type: .text)
            .column("assignee_id", type: .bigint)
            .column("creator_id", type: .bigint)
            .column("stage_key", type: .text)
            .column("rule_key", type: .text)
            .column("status", type: .text, .notNull)
            .column("due_at", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("completed_at", type: .bigint)
            .run()
        try await db.create(index: "tasks_deal").on("tasks").column("deal_id").column("status").run()
        try await db.create(index: "tasks_assignee").on("tasks").column("assignee_id").column("status").column("due_at").run()
        try await db.create(table: "timers")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("deal_id", type: .bigint, .notNull)
            .column("stage_key", type: .text, .notNull)
            .column("rule_key", type: .text, .notNull)
            .column("due_at", type: .bigint, .notNull)
            .column("lease_owner", type: .text)
            .column("lease_until", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "timers_due").on("timers").column("due_at").run()
        try await db.create(index: "timers_deal").on("timers").column("deal_id").run()
        // One row per cause × rule × action: an internal effect is applied once even if its cause is handled twice.
        try await db.create(table: "automation_runs")
            .column("cause", type: .text, .notNull)
            .column("rule_key", type: .text, .notNull)
            .column("action_index", type: .bigint, .notNull)
            .column("at", type: .bigint, .notNull)
            .primaryKey("cause", "rule_key", "action_index")
            .run()
        try await db.create(table: "automation_state")
            .column("key", type: .text, .primaryKey(autoIncrement: false))
            .column("value", type: .text, .notNull)
            .run()
    }

    /// In-app notices, and timers that watch a task's due time.
    @Sendable static func createNotices(_ db: any SQLDatabase) async throws {
        try await db.create(table: "notices")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("user_id", type: .bigint, .notNull)
            .column("deal_id", type: .bigint)
            .column("task_id", type: .bigint)
            .column("kind", type: .text, .notNull)
            .column("text", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("read_at", type: .bigint)
            .run()
        try await db.create(index: "notices_user").on("notices").column("user_id").column("read_at").run()
        try await db.alter(table: "timers").column("task_id", type: .bigint).run()
        try await db.create(index: "timers_task").on("timers").column("task_id").run()
    }
}

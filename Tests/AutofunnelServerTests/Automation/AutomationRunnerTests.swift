import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Automation runner: cascades, actions, timers")
struct AutomationRunnerTests {
    static let user = Actor(kind: .user)

    /// A pipeline of open stages s0…s(n-1), a won and a lost stage, and the given rules.
    static func chain(_ n: Int, rules: [AutomationSpec]) -> PipelineDefinition {
        PipelineDefinition(
            key: "chain", name: .init(ru: "Цепочка", en: "Chain"),
            stages: (0..<n).map { .init(key: "s\($0)", name: .init(ru: "Этап \($0)", en: "Stage \($0)"), kind: .process) } + [
                .init(key: "done", name: .init(ru: "Готово", en: "Done"), kind: .conversion, outcome: .won),
                .init(key: "dropped", name: .init(ru: "Отказ", en: "Dropped"), kind: .conversion, outcome: .lost),
            ], automations: rules)
    }

    @Test func aCascadeStopsAtTheDepthLimitWithAnErrorOnTheTimeline() async throws {
        try await TestServices.with { t in
            let rules = (0..<11).map { i in
                AutomationSpec(key: "step\(i)", trigger: .init(on: "stage_entered", stage: "s\(i)"), actions: [.init(do: "move", stage: "s\(i + 1)")])
            }
            _ = try await t.services.pipelines.apply(Self.chain(12, rules: rules))
            let deal = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "x"), actor: Self.user)
            #expect(deal.stage == "s8", "eight rule-caused moves, then the limit")
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }
            #expect(timeline.contains { $0.kind == "automation_error" && ($0.text ?? "").contains("more than 8") })
            let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
            #expect(log.count == 9 && log.dropFirst().allSatisfy { $0.actor.kind == .automation })
        }
    }

    @Test func aRuleNeverRetriggersItselfInOneCascade() async throws {
        try await TestServices.with { t in
            let rules = [
                AutomationSpec(key: "ping", trigger: .init(on: "stage_entered", stage: "s0"), actions: [.init(do: "move", stage: "s1")]),
                AutomationSpec(key: "pong", trigger: .init(on: "stage_entered", stage: "s1"), actions: [.init(do: "move", stage: "s0")]),
            ]
            _ = try await t.services.pipelines.apply(Self.chain(2, rules: rules))
            let deal = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "x"), actor: Self.user)
            #expect(deal.stage == "s0", "ping, pong, and ping does not fire again")
            #expect(try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }.count == 3)
        }
    }

    @Test func roundRobinSetFieldAndTaskCompletionRules() async throws {
        try await TestServices.with { t in
            let a = try await t.user("a@example.com", role: .manager)
            let b = try await t.user("b@example.com", role: .manager)
            let rules = [
                AutomationSpec(
                    key: "assign", trigger: .init(on: "deal_created"),
                    actions: [.init(do: "set_responsible", users: ["a@example.com", "b@example.com"])]),
                AutomationSpec(
                    key: "call", trigger: .init(on: "stage_entered", stage: "s0"),
                    actions: [
                        .init(do: "create_task", title: "Позвонить: {{deal.title}}", due: "30m"),
                        .init(do: "set_field", field: "source", value: .string("robot")),
                    ]),
                AutomationSpec(
                    key: "next", trigger: .init(on: "task_completed"), when: [.init(field: "stage", equals: .string("s0"))],
                    actions: [.init(do: "move", stage: "s1")]),
            ]
            _ = try await t.services.pipelines.apply(Self.chain(3, rules: rules))
            var created: [Deal] = []
            for i in 0..<3 {
                created.append(
                    try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "Сделка \(i)"), actor: Self.user))
            }
            let made = created
            #expect(made.map(\.responsible) == [a.id, b.id, a.id])
            #expect(made.allSatisfy { $0.source == "robot" })
            let task = try #require(try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: made[0].id)) }.first)
            #expect(task.title == "Позвонить: Сделка 0" && task.assignee == a.id && task.dueAt.millis - task.createdAt.millis == 1_800_000)
            try await t.withAPI(as: a) { api in
                let done = try await api.request(.post, "/api/v1/tasks/\(task.id)/complete")
                #expect(done.status == 200 && done.object["status"] as? String == "done")
                let again = try await api.request(.post, "/api/v1/tasks/\(task.id)/complete")
                #expect(again.status == 409)
                let others = try await api.request(.get, "/api/v1/tasks")
                let dealIDs = Set((others.object["items"] as? [[String: Any]] ?? []).compactMap { $0["dealId"] as? Int })
                #expect(dealIDs == [Int(made[0].id.rawValue), Int(made[2].id.rawValue)], "a manager sees the tasks of their own deals")
            }
            #expect(try await t.services.store.read { s in try await s.deal(made[0].id) }.stage == "s1")
        }
    }

    @Test(arguments: StoreTarget.available.filter { $0 != .sqliteMemory })
    func twoSchedulersOnOneDatabaseFireEveryTimerOnce(target: StoreTarget) async throws {
        let t = try await TestServices.make(target, sales: false)
        try await t.services.store.closing { _ in
            let rules = [
                AutomationSpec(
                    key: "remind", trigger: .init(on: "time_in_stage", stage: "s0", after: "1h"),
                    actions: [.init(do: "create_task", title: "Напомнить", due: "1d")])
            ]
            _ = try await t.services.pipelines.apply(Self.chain(2, rules: rules))
            for i in 0..<60 {
                _ = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "d\(i)"), actor: Self.user)
            }
            t.clock.advance(millis: 2 * 3_600_000)
            let one = AutomationScheduler(services: t.services, owner: "one")
            let two = AutomationScheduler(services: t.services, owner: "two")
            async let a = one.fireDue(batch: 7)
            async let b = two.fireDue(batch: 7)
            var fired = try await a + b
            while true {
                async let c = one.fireDue(batch: 7)
                async let d = two.fireDue(batch: 7)
                let round = try await c + d
                if round == 0 { break }
                fired += round
            }
            #expect(fired == 60)
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(), limit: 1000) }
            #expect(tasks.count == 60 && Set(tasks.map(\.deal)).count == 60, "none fired twice, none missed")
        }
    }

    @Test func aTaskCompletedRuleCanNameTheRuleThatMadeTheTask() async throws {
        try await TestServices.with { t in
            let rules = [
                AutomationSpec(
                    key: "call", trigger: .init(on: "stage_entered", stage: "s0"), actions: [.init(do: "create_task", title: "Позвонить")]),
                AutomationSpec(key: "mail", trigger: .init(on: "stage_entered", stage: "s0"), actions: [.init(do: "create_task", title: "Написать")]),
                AutomationSpec(key: "called", trigger: .init(on: "task_completed", rule: "call"), actions: [.init(do: "move", stage: "s1")]),
            ]
            _ = try await t.services.pipelines.apply(Self.chain(2, rules: rules))
            let deal = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "x"), actor: Self.user)
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }
            let mail = try #require(tasks.first { $0.title == "Написать" })
            let call = try #require(tasks.first { $0.title == "Позвонить" })
            _ = try await t.services.deals.completeTask(mail.id, principal: nil)
            #expect(try await t.services.store.read { s in try await s.deal(deal.id) }.stage == "s0", "another rule's task")
            _ = try await t.services.deals.completeTask(call.id, principal: nil)
            #expect(try await t.services.store.read { s in try await s.deal(deal.id) }.stage == "s1")
        }
    }

    @Test func aCopyStartsWithTheResponsibleItsStageNames() async throws {
        try await TestServices.with { t in
            let logistics = try await t.user("logistics@example.com", role: .manager)
            var target = Self.chain(2, rules: [])
            target.key = "delivery"
            target.stages[0].responsibleOnEntry = "logistics@example.com"
            _ = try await t.services.pipelines.apply(target)
            let rules = [
                AutomationSpec(
                    key: "ship", trigger: .init(on: "stage_entered", stage: "s1"), actions: [.init(do: "copy_to_pipeline", pipeline: "delivery")])
            ]
            _ = try await t.services.pipelines.apply(Self.chain(2, rules: rules))
            let deal = try await t.services.deals.create(
                pipeline: "chain", stage: nil, input: DealInput(title: "x", responsible: t.manager.id), actor: Self.user)
            _ = try await t.services.deals.move(deal.id, to: "s1", actor: Self.user)
            let copies = try await t.services.store.read { s in try await s.deals(DealFilter(pipeline: "delivery"), after: nil, limit: 5).items }
            #expect(copies.count == 1 && copies.first?.responsible == logistics.id)
        }
    }

    /// SQLite reuses a deleted row's id, and a rule may move the same deal again later: neither may look to the
    /// exactly-once ledger like something that already happened.
    @Test(arguments: StoreTarget.available)
    func reusedTimerIdsAndRepeatedRuleMovesStillFire(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let rules = [
                AutomationSpec(key: "wake", trigger: .init(on: "time_in_stage", stage: "s0", after: "1m"), actions: [.init(do: "move", stage: "s1")]),
                AutomationSpec(
                    key: "call", trigger: .init(on: "stage_entered", stage: "s1"), actions: [.init(do: "create_task", title: "Позвонить", due: "1d")]),
            ]
            _ = try await t.services.pipelines.apply(Self.chain(3, rules: rules))
            let scheduler = AutomationScheduler(services: t.services, owner: "a")
            func wake(_ title: String) async throws -> Deal {
                let deal = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: title), actor: Self.user)
                t.clock.advance(millis: 61_000)
                try await scheduler.fireDue()
                return try await t.services.store.read { s in try await s.deal(deal.id) }
            }
            let first = try await wake("first")
            let second = try await wake("second")
            #expect(first.stage == "s1" && second.stage == "s1", "the second deal's timer may reuse the first one's row id")
            _ = try await t.services.deals.move(first.id, to: "s0", actor: Self.user)
            t.clock.advance(millis: 61_000)
            try await scheduler.fireDue()
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: first.id)) }
            #expect(tasks.count == 2, "the rule moved the deal into s1 twice, so the task rule ran twice")
        }
    }

    @Test(arguments: StoreTarget.available)
    func leavingAStageClosesWonAndCallsOneNamedWebhook(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let rules = [
                AutomationSpec(
                    key: "handover", trigger: .init(on: "stage_left", stage: "s1"),
                    actions: [.init(do: "call_webhook", endpoint: "erp"), .init(do: "close_won")])
            ]
            _ = try await t.services.pipelines.apply(Self.chain(3, rules: rules))
            try await t.services.store.write { s in
                _ = try await s.insertEndpoint(
                    name: "erp", url: "http://127.0.0.1:9/erp", secret: WebhookSigner.newSecret(), events: [], at: t.clock.now())
                _ = try await s.insertEndpoint(
                    name: "bi", url: "http://127.0.0.1:9/bi", secret: WebhookSigner.newSecret(), events: [], at: t.clock.now())
            }
            let deal = try await t.services.deals.create(pipeline: "chain", stage: "s1", input: DealInput(title: "x"), actor: Self.user)
            #expect(try await t.services.store.read { s in try await s.outbox(status: nil) }.isEmpty, "entering s1 is not leaving it")
            let moved = try await t.services.deals.move(deal.id, to: "s2", actor: Self.user)
            let after = try await t.services.store.read { s in try await s.deal(moved.id) }
            #expect(after.status == .won, "leaving s1 ran the rule, whose close_won went through the transition path")
            let messages = try await t.services.store.read { s in try await s.outbox(status: nil) }
            #expect(messages.count == 1 && messages.first?.type == "automation.handover", "only the named endpoint is called")
            let endpoints = try await t.services.store.read { s in try await s.endpoints() }
            #expect(messages.first?.endpoint == endpoints.first { $0.name == "erp" }?.id)
        }
    }
}

@Suite("Automation: overdue tasks")
struct OverdueTaskTests {
    @Test(arguments: StoreTarget.available)
    func anOverdueTaskNotifiesItsCreatorAndRunsTheOverdueRules(target: StoreTarget) async throws {
        let t = try await TestServices.make(target, sales: false)
        try await t.services.store.closing { _ in
            let rules = [
                AutomationSpec(
                    key: "call", trigger: .init(on: "stage_entered", stage: "s0"),
                    actions: [.init(do: "create_task", title: "Позвонить {{deal.title}}", due: "30m")]),
                AutomationSpec(key: "escalate", trigger: .init(on: "task_overdue"), actions: [.init(do: "set_responsible", user: "head_of_sales")]),
            ]
            _ = try await t.services.pipelines.apply(AutomationRunnerTests.chain(2, rules: rules))
            let input = DealInput(title: "Кухня", responsible: t.manager.id, headOfSales: t.head.id)
            let late = try await t.services.deals.create(pipeline: "chain", stage: nil, input: input, actor: AutomationRunnerTests.user)
            let early = try await t.services.deals.create(pipeline: "chain", stage: nil, input: input, actor: AutomationRunnerTests.user)
            let earlyTask = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: early.id)).first!.id }
            _ = try await t.services.deals.completeTask(earlyTask, principal: nil)

            let scheduler = AutomationScheduler(services: t.services, owner: "test")
            t.clock.advance(millis: 29 * 60_000)
            #expect(try await scheduler.fireDue() == 0)
            t.clock.advance(millis: 2 * 60_000)
            #expect(try await scheduler.fireDue() == 1, "only the task still open")

            let notices = try await t.services.store.read { s in try await s.notices(user: t.head.id, unreadOnly: true) }
            let overdueNotices = notices.filter { $0.kind == "task_overdue" }
            #expect(
                overdueNotices.count == 1 && overdueNotices.first?.deal == late.id && overdueNotices.first?.text.contains("Позвонить Кухня") == true)
            #expect(notices.filter { $0.kind == "deal_assigned" }.map(\.deal) == [late.id], "the rule handed the deal to the head")
            #expect(try await t.services.store.read { s in try await s.deal(late.id) }.responsible == t.head.id, "the overdue rule ran")
            #expect(try await t.services.store.read { s in try await s.deal(early.id) }.responsible == t.manager.id)
            try await t.withAPI(as: t.head) { api in
                let list = try await api.request(.get, "/api/v1/notices?unread=true")
                let ids = (list.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                #expect(ids.count == 2)
                for id in ids { #expect(try await api.request(.post, "/api/v1/notices/\(id)/read").status == 204) }
                #expect((try await api.request(.get, "/api/v1/notices?unread=true").object["items"] as? [Any])?.isEmpty == true)
                let overdue = try await api.request(.get, "/api/v1/tasks?overdue=true")
                #expect((overdue.object["items"] as? [[String: Any]])?.map { $0["dealId"] as? Int } == [Int(late.id.rawValue)])
            }
            let headsNotice = try #require(overdueNotices.first?.id)
            try await t.withAPI(as: t.manager) { api in
                let status = try await api.request(.post, "/api/v1/notices/\(headsNotice)/read").status
                #expect(status == 404, "someone else's notice")
            }
        }
    }
}

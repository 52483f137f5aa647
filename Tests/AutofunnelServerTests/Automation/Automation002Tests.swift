import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The guide 002 automations, as data in the presets, run end to end with the test clock on every database.
@Suite("Automation: the 002 scenario")
struct Automation002Tests {
    static let robot = Actor(kind: .automation)
    static let user = Actor(kind: .user)

    /// Services with the shipped presets (sales-002 and nurturing) applied.
    static func presets(_ target: StoreTarget) async throws -> TestServices {
        let t = try await TestServices.make(target, sales: false)
        for name in ["nurturing", "sales-002"] { _ = try await t.services.pipelines.apply(text: try Presets.text(name)) }
        return t
    }

    static func openTasks(_ t: TestServices, _ deal: DealID) async throws -> [DealTask] {
        try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal, status: .open)) }
    }

    @Test(arguments: StoreTarget.available)
    func aDealFromCreationToWonWithTheGuidesTasks(target: StoreTarget) async throws {
        let t = try await Self.presets(target)
        try await t.services.store.closing { _ in
            let deals = t.services.deals
            let contact = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"]))
            var input = DealInput(title: "Шкаф-купе", responsible: t.manager.id, headOfSales: t.head.id)
            input.contact = contact.id
            let deal = try await deals.create(pipeline: "sales", stage: nil, input: input, actor: Self.user)

            var open = try await Self.openTasks(t, deal.id)
            #expect(open.map(\.title) == ["Взять в работу новый лид и принять решение о дальнейшем сотрудничестве"])
            #expect(open.first?.assignee == t.manager.id && open.first?.creator == t.head.id, "for the responsible, set by the head of sales")
            #expect(open.first.map { $0.dueAt.millis - $0.createdAt.millis } == 86_400_000, "due in a day")

            await #expect(throws: (any Error).self, "requirements are missing") {
                _ = try await deals.move(deal.id, to: "processing_request", actor: Self.user)
            }
            #expect(try await Self.openTasks(t, deal.id).count == 1, "a refused move changes no task")

            _ = try await deals.move(
                deal.id, to: "processing_request", input: DealInput(fields: ["requirements": .string("2,4 м, зеркало")]), actor: Self.user)
            open = try await Self.openTasks(t, deal.id)
            #expect(open.map(\.title) == ["Анна. Уточнить необходимую информацию и сделать КП"], "the new lead's task closed on leaving")
            let closed = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id, status: .closed)) }
            #expect(closed.map(\.stage) == ["new_lead"])

            _ = try await deals.move(
                deal.id, to: "proposal_made",
                input: DealInput(
                    amount: .init(value: "48500", currency: "RUB"),
                    fields: ["subject": .string("Шкаф"), "delivery_method": .string("delivery")]), actor: Self.user)
            let titles: [(StageKey, String)] = [
                ("answer_received", "Анна. Отправить счет на оплату"), ("invoice_sent", "Анна. Получить оплату по счету"),
                ("payment_received", "Анна. Собрать заказ и отправить/выдать клиенту"),
                ("order_shipped", "Анна. Убедиться, что клиент получил заказ"),
            ]
            #expect(try await Self.openTasks(t, deal.id).map(\.title) == ["Анна. Получить ответ на КП"])
            for (stage, title) in titles {
                _ = try await deals.move(deal.id, to: stage, actor: Self.user)
                #expect(try await Self.openTasks(t, deal.id).map(\.title) == [title])
            }
            let won = try await deals.close(deal.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(won.status == .won)
            #expect(try await Self.openTasks(t, deal.id).isEmpty, "winning closes the last stage's task")
            let all = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }
            #expect(all.count == 7 && all.allSatisfy { $0.status == .closed })
            #expect(try await t.services.store.read { s in try await s.timerCounts(now: Fixtures.t0).pending } == 0, "no timer outlives its stage")
        }
    }

    @Test(arguments: StoreTarget.available)
    func withoutAHeadOfSalesTheResponsibleIsAskedToSetOne(target: StoreTarget) async throws {
        let t = try await Self.presets(target)
        try await t.services.store.closing { _ in
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Кухня", responsible: t.manager.id), actor: Self.user)
            let titles = try await Self.openTasks(t, deal.id).map(\.title).sorted()
            #expect(titles == ["Взять в работу новый лид и принять решение о дальнейшем сотрудничестве", "Укажите руководителя отдела продаж"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func aDealOverItsStageTimeIsLostAndCopiedToNurturing(target: StoreTarget) async throws {
        let t = try await Self.presets(target)
        try await t.services.store.closing { _ in
            let scheduler = AutomationScheduler(services: t.services, owner: "test")
            let contact = try await t.services.parties.createContact(.init(name: "Борис", phones: ["+7 903 111-22-33"]))
            let input = DealInput(
                title: "Стеллажи", amount: .init(value: "132000", currency: "RUB"), responsible: t.manager.id,
                headOfSales: t.head.id, contact: contact.id,
                fields: ["requirements": .string("склад"), "subject": .string("Стеллажи"), "delivery_method": .string("pickup")])
            let deal = try await t.services.deals.create(pipeline: "sales", stage: "proposal_made", input: input, actor: Self.user)
            #expect(
                try await t.services.store.read { s in try await s.timerCounts(now: t.clock.now()).pending } == 2,
                "the stage's limit and its task's due time")

            t.clock.advance(millis: 4 * 86_400_000)
            #expect(try await scheduler.fireDue() == 0, "five days in the stage are allowed")
            t.clock.advance(millis: 86_400_000 + 60_000)
            #expect(try await scheduler.fireDue() == 2, "the overdue task, then the stage timeout")
            #expect(try await scheduler.fireDue() == 0, "fired once")
            let notices = try await t.services.store.read { s in try await s.notices(user: t.head.id, unreadOnly: true) }
            #expect(notices.map(\.kind) == ["task_overdue"], "the head of sales hears of the overdue task")

            let lost = try await t.services.store.read { s in try await s.deal(deal.id) }
            #expect(lost.status == .lost && lost.stage == "timed_out")
            let copies = try await t.services.store.read { s in
                try await s.deals(DealFilter(pipeline: "nurturing"), after: nil, limit: 10).items
            }
            #expect(copies.count == 1)
            #expect(copies.first?.lineage == deal.lineage && copies.first?.stage == "warming" && copies.first?.contact == contact.id)
            let warming = try await Self.openTasks(t, copies[0].id)
            #expect(warming.map(\.title) == ["Борис. Напомнить о себе: полезный материал"])
            let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
            #expect(log.last?.actor.kind == .automation && log.last?.to == "timed_out")
        }
    }

    @Test(arguments: StoreTarget.available)
    func leavingTheStageInTimeCancelsItsTimer(target: StoreTarget) async throws {
        let t = try await Self.presets(target)
        try await t.services.store.closing { _ in
            let scheduler = AutomationScheduler(services: t.services, owner: "test")
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil,
                input: DealInput(title: "Прихожая", responsible: t.manager.id, headOfSales: t.head.id), actor: Self.user)
            t.clock.advance(millis: 20 * 3_600_000)
            _ = try await t.services.deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: Self.user)
            t.clock.advance(millis: 10 * 86_400_000)
            #expect(try await scheduler.fireDue() == 0)
            let after = try await t.services.store.read { s in try await s.deal(deal.id) }
            #expect(after.stage == "spam")
        }
    }
}

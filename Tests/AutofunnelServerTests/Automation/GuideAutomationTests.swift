import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The guides' automations as data: delivery branching after payment, interest-score routing, the regular-customers
/// cycle with reminders before the next purchase, re-engaging lost customers, and documents rendered for a deal.
@Suite("The guides' automations")
struct GuideAutomationTests {
    static let user = Actor(kind: .user)
    static let day: Int64 = 86_400_000

    static let shopFields: [PipelineDefinition.FieldSpec] = [
        .init(
            entity: .deal, key: "delivery", type: .enum, name: .init(ru: "Получение", en: "Delivery"),
            options: [
                .init(key: "courier", name: .init(ru: "Курьер", en: "Courier")), .init(key: "pickup", name: .init(ru: "Самовывоз", en: "Pickup")),
            ]),
        .init(entity: .deal, key: "next_purchase", type: .date, name: .init(ru: "Следующая покупка", en: "Next purchase")),
    ]

    /// A shop: payment branches by delivery method; a won deal opens a follow-up in `regular`; a lost deal comes back
    /// on its expected next purchase date.
    static func shop() -> PipelineDefinition {
        OrchestrationTests.pipeline(
            "shop", stages: ["new", "paid", "courier", "pickup"], fields: shopFields,
            rules: [
                AutomationSpec(
                    key: "to_courier", trigger: .init(on: "stage_entered", stage: "paid"),
                    when: [.init(field: "delivery", equals: .string("courier"))],
                    actions: [.init(do: "move", stage: "courier"), .init(do: "create_task", title: "Передать заказ курьеру", due: "4h")]),
                AutomationSpec(
                    key: "to_pickup", trigger: .init(on: "stage_entered", stage: "paid"), when: [.init(field: "delivery", equals: .string("pickup"))],
                    actions: [.init(do: "move", stage: "pickup"), .init(do: "create_task", title: "Подготовить к выдаче", due: "1d")]),
                AutomationSpec(
                    key: "regular", trigger: .init(on: "stage_entered", stage: "won"),
                    actions: [.init(do: "open_deal", stage: "bought", title: "Повторная покупка: {{contact.name}}", pipeline: "regular")]),
                AutomationSpec(
                    key: "win_back", trigger: .init(on: "date_reached", field: "next_purchase", offset: "0"),
                    when: [.init(field: "status", equals: .string("lost"))],
                    actions: [.init(do: "open_deal", stage: "new", title: "Вернуть клиента: {{contact.name}}", pipeline: "shop")]),
            ])
    }

    /// Regular customers: a reminder task three days before the next purchase.
    static func regular() -> PipelineDefinition {
        OrchestrationTests.pipeline(
            "regular", stages: ["bought", "reminded"],
            rules: [
                AutomationSpec(
                    key: "remind", trigger: .init(on: "date_reached", field: "next_purchase", offset: "-3d"),
                    when: [.init(field: "status", equals: .string("open"))],
                    actions: [
                        .init(do: "create_task", title: "Напомнить о покупке: {{contact.name}}", due: "1d"), .init(do: "move", stage: "reminded"),
                    ])
            ])
    }

    @Test(arguments: StoreTarget.available)
    func paymentBranchesByDeliveryAndTheRegularCustomerCycleRemindsBeforeTheNextPurchase(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Self.shop())
            _ = try await t.services.pipelines.apply(Self.regular())
            let contact = try await t.contact(name: "Ирина")
            func order(_ delivery: String) async throws -> Deal {
                let deal = try await t.services.deals.create(
                    pipeline: "shop", stage: nil,
                    input: DealInput(title: "Заказ", contact: contact.id, fields: ["delivery": .string(delivery)]),
                    actor: Self.user)
                return try await t.services.deals.move(deal.id, to: "paid", actor: Self.user)
            }
            let byCourier = try await order("courier")
            let byPickup = try await order("pickup")
            #expect(byCourier.stage == "courier" && byPickup.stage == "pickup")
            let tasks = try await t.services.store.read { s in
                (try await s.tasks(TaskFilter(deal: byCourier.id)).map(\.title), try await s.tasks(TaskFilter(deal: byPickup.id)).map(\.title))
            }
            #expect(tasks.0 == ["Передать заказ курьеру"] && tasks.1 == ["Подготовить к выдаче"])

            _ = try await t.services.deals.close(byPickup.id, won: true, reason: nil, comment: nil, actor: Self.user)
            let followUps = try await t.services.store.read { s in try await s.deals(DealFilter(pipeline: "regular"), after: nil, limit: 10).items }
            let followUp = try #require(followUps.first)
            #expect(followUps.count == 1 && followUp.stage == "bought" && followUp.contact == contact.id && followUp.source == "follow_up")
            #expect(followUp.title == "Повторная покупка: Ирина")

            // t0 is 2026-11-18 11:06 UTC; the next purchase on 2026-12-01 means a reminder on 2026-11-28 00:00 UTC.
            _ = try await t.services.deals.update(followUp.id, input: DealInput(fields: ["next_purchase": .string("2026-12-05")]), actor: Self.user)
            _ = try await t.services.deals.update(followUp.id, input: DealInput(fields: ["next_purchase": .string("2026-12-01")]), actor: Self.user)
            let scheduler = AutomationScheduler(services: t.services, owner: "a")
            func reminders() async throws -> [String] {
                try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: followUp.id)) }.map(\.title)
            }
            // The orders' tasks come due (and overdue) on the way; only the reminder is of interest here.
            let reminderAt = CalendarText.millis("2026-11-28")!
            t.clock.advance(millis: reminderAt - t.clock.now().millis - 60_000)
            try await scheduler.fireDue()
            #expect(try await reminders().isEmpty)
            t.clock.advance(millis: 120_000)
            try await scheduler.fireDue()
            #expect(try await reminders() == ["Напомнить о покупке: Ирина"], "a changed date moved the one timer; it did not add a second")
            #expect(try await t.services.store.read { s in try await s.deal(followUp.id) }.stage == "reminded")
            t.clock.advance(millis: 10 * Self.day)
            try await scheduler.fireDue()
            #expect(try await reminders().count == 1)
        }
    }

    @Test func aLostCustomerIsWonBackOnTheExpectedNextPurchaseDate() async throws {
        try await TestServices.with { t in
            _ = try await t.services.pipelines.apply(Self.shop())
            _ = try await t.services.pipelines.apply(Self.regular())
            let contact = try await t.contact(name: "Пётр")
            let deal = try await t.services.deals.create(
                pipeline: "shop", stage: nil,
                input: DealInput(title: "Диван", contact: contact.id, fields: ["next_purchase": .string("2026-12-15")]), actor: Self.user)
            _ = try await t.services.deals.close(deal.id, won: false, reason: "lost", comment: "Дорого", actor: Self.user)
            let scheduler = AutomationScheduler(services: t.services, owner: "a")
            t.clock.advance(millis: CalendarText.millis("2026-12-15")! - t.clock.now().millis + 1000)
            #expect(try await scheduler.fireDue() == 1, "date rules fire on closed deals")
            let open = try await t.services.store.read { s in
                try await s.deals(DealFilter(pipeline: "shop", status: .open), after: nil, limit: 10).items
            }
            #expect(open.map(\.title) == ["Вернуть клиента: Пётр"] && open.first?.contact == contact.id)
        }
    }

    @Test func interestScoreRoutesHotLeadsToASeniorSellerAndWarmOnesToSales() async throws {
        try await TestServices.with { t in
            let senior = try await t.user("senior@example.com", role: .manager)
            let fields: [PipelineDefinition.FieldSpec] = [
                .init(entity: .deal, key: "interest", type: .number, name: .init(ru: "Интерес", en: "Interest"))
            ]
            let rules = [
                AutomationSpec(
                    key: "hot", trigger: .init(on: "field_changed", field: "interest"), when: [.init(field: "interest", greater: 8.5)],
                    actions: [
                        .init(do: "set_responsible", user: "senior@example.com"),
                        .init(do: "create_task", title: "Горячий лид: передать старшему продавцу сейчас", due: "15m"),
                    ]),
                AutomationSpec(
                    key: "warm", trigger: .init(on: "field_changed", field: "interest"),
                    when: [.init(field: "interest", greater: 6.5), .init(field: "interest", less: 8.5)],
                    actions: [.init(do: "copy_to_pipeline", pipeline: "sales")]),
            ]
            _ = try await t.services.pipelines.apply(OrchestrationTests.pipeline("leads", stages: ["new", "warming"], fields: fields, rules: rules))
            var scored: [Int: Deal] = [:]
            for score in [10, 7, 4] {
                let deal = try await t.services.deals.create(pipeline: "leads", stage: nil, input: DealInput(title: "Лид \(score)"), actor: Self.user)
                scored[score] = try await t.services.deals.update(
                    deal.id, input: DealInput(fields: ["interest": .number(Double(score))]), actor: Self.user)
            }
            let deals = scored
            let hot = try #require(deals[10])
            #expect(hot.responsible == senior.id && hot.status == .open)
            let hotTasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: hot.id)) }
            #expect(hotTasks.map(\.title) == ["Горячий лид: передать старшему продавцу сейчас"] && hotTasks.first?.assignee == senior.id)
            let warm = try await t.services.store.read { s in try await s.deal(deals[7]!.id) }
            #expect(warm.status == .won, "a warm lead is qualified: closed won and copied to sales")
            let copies = try await t.services.store.read { s in try await s.deals(DealFilter(pipeline: "sales"), after: nil, limit: 10).items }
            #expect(copies.count == 1 && copies.first?.lineage == warm.lineage)
            let cold = try await t.services.store.read { s in try await s.deal(deals[4]!.id) }
            #expect(cold.status == .open && cold.stage == "new" && cold.responsible == nil, "a cold lead keeps warming")
        }
    }

    @Test func aRuleRendersAnEscapedHTMLDocumentAndAttachesItToTheDeal() async throws {
        try await TestServices.with { t in
            let rules = [
                AutomationSpec(
                    key: "offer_doc", trigger: .init(on: "stage_entered", stage: "offer"),
                    actions: [
                        .init(
                            do: "render_document", name: "КП — {{contact.name}}",
                            template: "<h1>Предложение для {{Контакт: Имя}}</h1><p>{{deal.title}}: {{deal.amount}}</p>")
                    ])
            ]
            _ = try await t.services.pipelines.apply(OrchestrationTests.pipeline("docs", stages: ["new", "offer"], rules: rules))
            let contact = try await t.contact(name: "<b>Анна</b> & Co")
            let deal = try await t.services.deals.create(
                pipeline: "docs", stage: nil,
                input: DealInput(title: "Кухня", amount: .init(value: "150000", currency: "RUB"), contact: contact.id), actor: Self.user)
            _ = try await t.services.deals.move(deal.id, to: "offer", actor: Self.user)
            try await t.withAPI { api in
                let list = try await api.request(.get, "/api/v1/deals/\(deal.id)/documents")
                let items = try #require(list.object["items"] as? [[String: Any]])
                #expect(
                    items.count == 1 && items.first?["name"] as? String == "КП — <b>Анна</b> & Co" && items.first?["rule"] as? String == "offer_doc")
                let id = try #require(items.first?["id"] as? Int)
                let document = try await api.request(.get, "/api/v1/documents/\(id)")
                #expect(document.status == 200 && (document.contentType ?? "").hasPrefix("text/html"))
                #expect(
                    document.text.hasPrefix("<h1>Предложение для &lt;b&gt;Анна&lt;/b&gt; &amp; Co</h1><p>Кухня: 150"),
                    "values are escaped, the template is not")
            }
        }
    }

    @Test func aDateRuleMustNameADateField() async throws {
        try await TestServices.with { t in
            let rules = [
                AutomationSpec(key: "bad", trigger: .init(on: "date_reached", field: "title", offset: "-2x"), actions: [.init(do: "close_won")])
            ]
            await #expect(throws: (any Error).self) {
                _ = try await t.services.pipelines.apply(OrchestrationTests.pipeline("bad", stages: ["a"], rules: rules))
            }
            let problems = OrchestrationTests.pipeline("bad", stages: ["a"], rules: rules).validated(knownFields: FieldCatalog())
            guard case .failure(let refusal) = problems else { Issue.record("the rule was accepted"); return }
            #expect(Set(refusal.violations.compactMap(\.field)).isSuperset(of: ["automations[0].trigger.offset"]))
        }
    }
}

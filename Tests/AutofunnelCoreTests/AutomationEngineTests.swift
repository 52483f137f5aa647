import AutofunnelCore
import AutofunnelTestSupport
import Testing

@Suite("Automation engine (pure)")
struct AutomationEngineTests {
    static func pipeline(_ rules: [AutomationSpec]) throws -> Pipeline {
        var d = Fixtures.salesDefinition()
        d.automations = rules
        return try d.validated(knownFields: FieldCatalog()).get()
    }

    @Test func rulesFireOnTheirTriggerWhenTheirConditionsHold() throws {
        let p = try Self.pipeline([
            AutomationSpec(
                key: "big_deal", trigger: .init(on: "field_changed", field: "amount"),
                when: [
                    .init(field: "amount", greater: 100_000),
                    .init(any: [.init(field: "source", equals: .string("site")), .init(field: "source", empty: true)]),
                ],
                actions: [.init(do: "set_responsible", user: "senior@example.com"), .init(do: "move", stage: "proposal_made")]),
            AutomationSpec(
                key: "pickup", trigger: .init(on: "field_changed", field: "delivery_method", to: .string("pickup")),
                actions: [.init(do: "create_task", title: "Самовывоз: {{Контакт: Имя}}", due: "2h")]),
            AutomationSpec(key: "slow", trigger: .init(on: "time_in_stage", stage: "proposal_made", after: "3d"), actions: [.init(do: "close_won")]),
        ])
        var deal = Fixtures.deal()
        deal.amount = try? Money.parse("150000", currency: CurrencyCode("RUB")!).get()
        let snap = DealSnapshot(deal: deal, contact: Fixtures.contact)
        let effects = Automation.evaluate(.fieldChanged("amount", to: .number(150_000)), snapshot: snap, pipeline: p, now: Fixtures.t0)
        #expect(
            effects == [
                .act(rule: "big_deal", index: 0, action: .setResponsible(.user(email: "senior@example.com"))),
                .act(rule: "big_deal", index: 1, action: .move("proposal_made")),
            ])
        deal.source = "phone"
        #expect(
            Automation.evaluate(.fieldChanged("amount", to: .number(150_000)), snapshot: DealSnapshot(deal: deal), pipeline: p, now: Fixtures.t0)
                .isEmpty, "source is neither site nor empty")
        #expect(
            Automation.evaluate(.fieldChanged("delivery_method", to: .string("delivery")), snapshot: snap, pipeline: p, now: Fixtures.t0).isEmpty,
            "changed to another value")
        #expect(
            Automation.evaluate(.fieldChanged("delivery_method", to: .string("pickup")), snapshot: snap, pipeline: p, now: Fixtures.t0).count == 1)
        #expect(
            Automation.evaluate(.stageEntered("proposal_made"), snapshot: snap, pipeline: p, now: Fixtures.t0)
                == [.setTimer(rule: "slow", stage: "proposal_made", at: Fixtures.t0.adding(millis: 3 * 86_400_000))])
        #expect(
            Automation.evaluate(.timerFired(rule: "slow"), snapshot: snap, pipeline: p, now: Fixtures.t0) == [
                .act(rule: "slow", index: 0, action: .closeWon)
            ])
    }

    @Test func templatesTakeTheGuidesRussianFormAndDottedNames() {
        var deal = Fixtures.deal()
        deal.fields["subject"] = .string("Шкаф")
        deal.amount = try? Money.parse("48500", currency: CurrencyCode("RUB")!).get()
        deal.responsible = UserID(3)
        let snap = DealSnapshot(deal: deal, contact: Fixtures.contact)
        let catalog = FieldCatalog(Fixtures.salesPipeline().0.declaredFields)
        #expect(TaskTemplate.render("{{Контакт: Имя}}. Получить ответ на КП", snap, catalog: catalog) == "Анна. Получить ответ на КП")
        #expect(TaskTemplate.render("{{contact.name}} / {{ deal.title }}", snap, catalog: catalog) == "Анна / Шкаф-купе")
        #expect(TaskTemplate.render("{{Сделка: Тема}}, {{deal.amount}}", snap, catalog: catalog) == "Шкаф, 48500.00 RUB")
        #expect(TaskTemplate.render("{{Ответственный}}: {{nothing}}{{", snap, catalog: catalog, users: [UserID(3): "Максим"]) == "Максим: {{")
    }

    @Test func badRulesAreRefusedWithTheirPath() {
        var d = Fixtures.salesDefinition()
        d.automations = [
            AutomationSpec(key: "a", trigger: .init(on: "stage_entered", stage: "nowhere"), actions: [.init(do: "move", stage: "spam")]),
            AutomationSpec(key: "b", trigger: .init(on: "whenever"), when: [.init(field: "nope", equals: .bool(true))], actions: []),
            AutomationSpec(
                key: "c", trigger: .init(on: "deal_created"),
                actions: [.init(do: "close_lost", reason: "new_lead"), .init(do: "create_task", due: "soon")]),
        ]
        guard case .failure(let refusal) = d.validated(knownFields: FieldCatalog()) else {
            Issue.record("accepted")
            return
        }
        let fields = refusal.violations.compactMap(\.field)
        #expect(fields.contains("automations[0].trigger.stage"))
        #expect(fields.contains("automations[0].actions[0].stage"), "a closing stage is reached with close_lost, not move")
        #expect(fields.contains("automations[1].trigger.on"))
        #expect(fields.contains("automations[1].when[0].field"))
        #expect(fields.contains("automations[1].actions"))
        #expect(fields.contains("automations[2].actions[0].reason"))
        #expect(fields.contains("automations[2].actions[1].title") && fields.contains("automations[2].actions[1].due"))
    }

    @Test func rulesRoundTripThroughTheCanonicalFile() throws {
        var d = Fixtures.salesDefinition()
        d.automations = [
            AutomationSpec(
                key: "rr", trigger: .init(on: "deal_created"), when: [.init(field: "source", in: [.string("site"), .string("phone")])],
                actions: [.init(do: "set_responsible", users: ["a@example.com", "b@example.com"])])
        ]
        let p = try d.validated(knownFields: FieldCatalog()).get()
        #expect(p.definition.automations == d.automations)
        #expect(p.automations[0].actions == [.setResponsible(.roundRobin(["a@example.com", "b@example.com"]))])
    }
}

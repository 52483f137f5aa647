import AutofunnelCore
import Testing

/// Every lint rule with a fixture that breaks it and the clean fixture that passes it.
@Suite("Funnel linter")
struct FunnelLinterTests {
    typealias Spec = PipelineDefinition.StageSpec

    static let help = Localized(ru: "Что делать на этапе и как продать следующий", en: "What to do here and how to sell the next stage")

    /// A pipeline that follows every rule: conversion-form stages with instructions, limits and tasks, a key stage
    /// with fields required before it, warming messages, one lost stage per reason.
    static func clean() -> PipelineDefinition {
        PipelineDefinition(
            key: "qualification", name: .init(ru: "Квалификация", en: "Qualification"),
            fields: [.init(entity: .deal, key: "budget", type: .money, name: .init(ru: "Бюджет", en: "Budget"))],
            stages: [
                Spec(
                    key: "need_found", name: .init(ru: "Потребность выявлена", en: "Need identified"), kind: .conversion, instructions: help,
                    requiredToLeave: ["budget"], maxTimeInStage: "1d"),
                Spec(
                    key: "offer_sent", name: .init(ru: "Предложение отправлено", en: "Proposal sent"), kind: .conversion, keyStage: true,
                    instructions: help, maxTimeInStage: "3d"),
                Spec(key: "paid", name: .init(ru: "Оплата получена", en: "Payment received"), kind: .conversion, outcome: .won),
                Spec(key: "too_expensive", name: .init(ru: "Дорого", en: "Too expensive"), kind: .conversion, outcome: .lost),
                Spec(key: "silent", name: .init(ru: "Перестал отвечать", en: "Stopped answering"), kind: .conversion, outcome: .lost),
            ],
            automations: [
                AutomationSpec(
                    key: "need_task", trigger: .init(on: "stage_entered", stage: "need_found"),
                    actions: [
                        .init(do: "create_task", title: "Подготовить КП"), .init(do: "send_message", text: "Спасибо за заявку!", channel: "wa"),
                    ]),
                AutomationSpec(
                    key: "offer_task", trigger: .init(on: "stage_entered", stage: "offer_sent"),
                    actions: [.init(do: "create_task", title: "Получить ответ")]),
            ])
    }

    static func findings(_ definitions: [PipelineDefinition], catalog: FieldCatalog = FieldCatalog(), stats: [PipelineKey: LintStats] = [:])
        throws -> [LintFinding]
    {
        var known = catalog
        var pipelines: [Pipeline] = []
        for d in definitions {
            let p = try d.validated(knownFields: known).get()
            pipelines.append(p)
            known = known.adding(p.declaredFields)
        }
        return FunnelLinter.lint(pipelines, catalog: known, stats: stats)
    }

    static func rules(_ d: PipelineDefinition, stats: LintStats? = nil) throws -> Set<String> {
        Set(try findings([d], stats: stats.map { [PipelineKey(d.key): $0] } ?? [:]).map(\.rule))
    }

    @Test func theCleanPipelineHasNoFindingsAndExitsZero() throws {
        let found = try Self.findings([Self.clean()])
        #expect(found.isEmpty, "\(found.map(\.rule))")
        #expect(FunnelLinter.exitCode(found) == 0)
    }

    @Test func mistakesOneTwoFiveEachNameTheStage() throws {
        var d = Self.clean()
        d.automations?.removeLast()
        d.stages[1].maxTimeInStage = nil
        d.stages[1].instructions = nil
        let found = try Self.findings([d])
        let at = Dictionary(grouping: found, by: \.rule).mapValues { $0.map(\.location) }
        #expect(at["stage-without-task"] == ["qualification.stages.offer_sent"])
        #expect(at["stage-without-limit"] == ["qualification.stages.offer_sent"])
        #expect(at["stage-without-instructions"] == ["qualification.stages.offer_sent"])
        #expect(found.first { $0.rule == "stage-without-task" }?.mistake == 1)
        #expect(FunnelLinter.exitCode(found) == 1, "warnings only")
    }

    @Test func mistakeThreeNoWarmingMessages() throws {
        var d = Self.clean()
        d.automations?[0].actions.removeLast()
        #expect(try Self.rules(d) == ["no-warming-messages"])
    }

    @Test func mistakeFourKeyStageWithoutRequiredFieldsBeforeIt() throws {
        var d = Self.clean()
        d.stages[0].requiredToLeave = nil
        #expect(try Self.rules(d) == ["key-stage-without-required-fields"])
    }

    @Test func mistakeSixOverloadedCardAndFieldsNobodyFills() throws {
        var d = Self.clean()
        d.fields = (0..<13).map { .init(entity: .deal, key: "f\($0)", type: .text, name: .init(ru: "Поле \($0)", en: "Field \($0)")) }
        d.stages[0].requiredToLeave = ["f0"]
        #expect(try Self.rules(d) == ["overloaded-card"])
        let stats = LintStats(filled: ["budget": 1], deals: 40)
        #expect(try Self.rules(Self.clean(), stats: stats) == ["field-never-filled"])
        #expect(try Self.rules(Self.clean(), stats: LintStats(filled: ["budget": 30], deals: 40)).isEmpty)
    }

    @Test func mistakeSevenAnotherRolesStageWithTheSameResponsible() throws {
        var d = Self.clean()
        d.stages.insert(
            Spec(
                key: "delivery", name: .init(ru: "Доставка", en: "Delivery"), kind: .conversion, instructions: Self.help, maxTimeInStage: "2d"),
            at: 2)
        d.automations?.append(
            AutomationSpec(
                key: "ship", trigger: .init(on: "stage_entered", stage: "delivery"), actions: [.init(do: "create_task", title: "Отгрузить")]))
        #expect(try Self.rules(d) == ["responsible-never-changes"])
        d.stages[2].responsibleOnEntry = "logistics@example.com"
        #expect(try Self.rules(d).isEmpty)
    }

    @Test func mistakeEightProcessAndConversionStages() throws {
        var d = Self.clean()
        d.stages[1].name = .init(ru: "Ожидаем ответ на КП", en: "Waiting for a reply")
        #expect(try Self.rules(d) == ["stage-kind-mismatch"])
        d.stages[1].kind = .process
        #expect(try Self.rules(d) == ["mixed-stage-kinds"])
    }

    @Test func mistakeNineADealOpenedElsewhereWhileThisOneStaysOpen() throws {
        var d = Self.clean()
        d.automations?.append(
            AutomationSpec(
                key: "to_sales", trigger: .init(on: "stage_entered", stage: "offer_sent"), actions: [.init(do: "open_deal", pipeline: "sales")]))
        var sales = Self.clean()
        sales.key = "sales"
        sales.fields = nil
        let found = try Self.findings([d, sales]).filter { $0.location.hasPrefix("qualification") }
        #expect(found.map(\.rule) == ["moved-without-closing"] && found.first?.mistake == 9)
        d.automations?[2].actions = [.init(do: "copy_to_pipeline", pipeline: "sales")]
        #expect(try Self.findings([d, sales]).isEmpty, "close-and-copy is the right way")
    }

    @Test func mistakesTenAndElevenNoQualificationAndNoKeyStage() throws {
        var d = Self.clean()
        d.key = "sales"
        d.name = .init(ru: "Продажи", en: "Sales")
        d.stages[1].keyStage = nil
        d.stages[0].requiredToLeave = nil
        #expect(try Self.rules(d) == ["no-qualification", "no-key-stage"])
    }

    @Test func mistakeThirteenTasksUsedAsStages() throws {
        var d = Self.clean()
        d.stages[1].name = .init(ru: "Перезвонить клиенту", en: "Call back")
        #expect(try Self.rules(d) == ["task-as-stage"])
    }

    @Test func mistakeFourteenHoardedDealsAndWhatTheLogShows() throws {
        let stats = LintStats(hoarded: ["offer_sent": 3], idle: 2, widening: ["offer_sent"], backwardRate: 0.35, moves: 40)
        let found = try Self.findings([Self.clean()], stats: ["qualification": stats])
        #expect(Set(found.map(\.rule)) == ["hoarded-deals", "widening-step", "backward-moves"])
        #expect(found.filter { $0.rule == "hoarded-deals" }.map(\.location).sorted() == ["qualification", "qualification.stages.offer_sent"])
        #expect(try Self.rules(Self.clean(), stats: LintStats(backwardRate: 0.35, moves: 10)).isEmpty, "too few moves to judge")
    }

    @Test func ruleLoopsAreErrors() throws {
        var d = Self.clean()
        d.automations?.append(
            AutomationSpec(key: "back", trigger: .init(on: "stage_entered", stage: "offer_sent"), actions: [.init(do: "move", stage: "need_found")]))
        d.automations?.append(
            AutomationSpec(key: "forth", trigger: .init(on: "stage_entered", stage: "need_found"), actions: [.init(do: "move", stage: "offer_sent")]))
        let found = try Self.findings([d])
        #expect(found.map(\.rule) == ["automation-loop"] && found.first?.severity == .error)
        #expect(FunnelLinter.exitCode(found) == 2)
        #expect(found.first?.message.en.contains("back") == true && found.first?.message.en.contains("forth") == true)
    }

    @Test func requiredFieldsNoSellerMayFillAreErrors() throws {
        var d = Self.clean()
        d.fields = [
            .init(
                entity: .deal, key: "budget", type: .money, name: .init(ru: "Бюджет", en: "Budget"),
                access: [.manager: .readOnly, .headOfSales: .hidden])
        ]
        #expect(try Self.rules(d) == ["required-field-not-editable"])
        d.fields = [.init(entity: .deal, key: "budget", type: .money, name: .init(ru: "Бюджет", en: "Budget"), access: [.manager: .readOnly])]
        #expect(try Self.rules(d).isEmpty, "the head of sales may fill it")
    }

    @Test func unreachableStagesGenericLossesAndMissingTargets() throws {
        var d = Self.clean()
        let none = MovePolicy.Permissions(forward: false, backward: true, skip: false, close: true)
        d.policy = .init(user: none, automation: none, api: none, import: none)
        #expect(try Self.rules(d) == ["unreachable-stage"])
        d = Self.clean()
        d.stages.removeLast()
        d.stages[3].name = .init(ru: "Отказ", en: "Lost")
        #expect(try Self.rules(d) == ["lost-without-reason"])
        d = Self.clean()
        d.automations?[1].actions.append(.init(do: "copy_to_pipeline", pipeline: "nowhere"))
        #expect(try Self.rules(d) == ["unknown-target-pipeline"])
    }

    @Test func stageNameForms() {
        let process = ["Ожидаем оплату", "Обрабатываем запрос", "Готовим договор", "Waiting for payment", "Processing the request"]
        let conversion = ["Договор подписан", "Получили ответ", "Сделали предложение", "Оплата получена", "Contract signed", "Proposal sent"]
        for name in process { #expect(FunnelLinter.nameForm(.init(ru: name, en: name)) == .process, "\(name)") }
        for name in conversion { #expect(FunnelLinter.nameForm(.init(ru: name, en: name)) == .conversion, "\(name)") }
        #expect(FunnelLinter.nameForm(.init(ru: "Новый лид", en: "New lead")) == nil)
    }
}

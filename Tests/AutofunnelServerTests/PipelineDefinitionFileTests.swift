import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Funnel as code")
struct PipelineDefinitionFileTests {
    @Test func theSalesPresetRoundTripsExactly() async throws {
        try await TestServices.with(sales: false) { t in
            let file = try Presets.text("sales-002")
            // The preset's header comment explains its lint warnings; comments are not part of the definition.
            let text = file.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }.joined(separator: "\n")
            #expect(text.count < file.count && text.hasPrefix("key: sales\n"))
            let result = try await t.services.pipelines.apply(text: file)
            #expect(result.created)
            #expect(try await t.services.pipelines.export("sales") == text)
            // Applying the export again changes nothing.
            _ = try await t.services.pipelines.apply(text: try await t.services.pipelines.export("sales"))
            #expect(try await t.services.pipelines.export("sales") == text)
        }
    }

    @Test func wholeNumbersInRulesExportAsIntegers() async throws {
        try await TestServices.with(sales: false) { t in
            let text = try Presets.text("telemarketing")
            for name in Presets.ordered(Presets.names()) where name != "telemarketing" {
                _ = try await t.services.pipelines.apply(text: try Presets.text(name))
            }
            let applied = try await t.services.pipelines.apply(text: text)
            let exported = try await t.services.pipelines.export(applied.pipeline.key)
            #expect(
                !exported.contains("e+0") && exported.contains("greater: 6.5"), "\(exported.split(separator: "\n").filter { $0.contains("greater") })"
            )
        }
    }

    @Test func theSalesPresetIsThePipelineOfGuide002() async throws {
        let definition = try PipelineService.parse(try Presets.text("sales-002"))
        let pipeline = try definition.validated(knownFields: FieldCatalog()).get()
        #expect(
            pipeline.openStages.map(\.name.en) == [
                "New lead", "Processing request", "Proposal made", "Answer received", "Invoice sent", "Payment received", "Order shipped",
            ])
        #expect(pipeline.wonStage.name.en == "Customer received order")
        #expect(
            pipeline.lostStages.map { "\($0.name.en)\($0.lossCommentRequired ? " (comment)" : "")" } == [
                "Spam", "Not our profile (comment)", "Stopped answering", "Too expensive (comment)", "Other (comment)", "Timed out",
            ], "the 002 reasons, and 000's 'timed out' for deals over a stage's maximum time")
        #expect(pipeline.automations.count == 9)
        #expect(pipeline.automations.filter { if case .stageEntered = $0.trigger { true } else { false } }.count == 7, "one task per open stage")
        #expect(
            pipeline.automations.last?.actions == [
                .closeLost(reason: "timed_out", comment: "Сделка пробыла на этапе дольше срока"), .copyToPipeline("nurturing", stage: nil),
            ])
        #expect(pipeline.stage("new_lead")?.requiredToLeave.map(\.description) == ["contact", "requirements"])
        #expect(
            Set(pipeline.stage("processing_request")?.requiredToLeave.map(\.description) ?? []) == [
                "amount", "subject", "delivery_method", "contact.name", "contact.phone",
            ])
        let dealFields = pipeline.declaredFields.filter { $0.entity == .deal }.map(\.key.rawValue)
        #expect(dealFields == ["subject", "requirements", "delivery_method"])
        let contactFields = pipeline.declaredFields.filter { $0.entity == .contact }
        #expect(contactFields.map(\.key.rawValue) == ["payment_method", "segment"])
        #expect(contactFields[0].options?.map(\.key) == ["cash", "online", "invoice"])
    }

    @Test func jsonDefinitionsAreAccepted() async throws {
        try await TestServices.with(sales: false) { t in
            let encoder = JSONEncoder()
            let json = String(decoding: try encoder.encode(Fixtures.salesDefinition()), as: UTF8.self)
            _ = try await t.services.pipelines.apply(text: json)
            #expect(try await t.services.store.read { s in try await s.pipeline("sales") } != nil)
        }
    }

    @Test func removingAStageWithOpenDealsNeedsAMapping() async throws {
        try await TestServices.with() { t in
            let contact = try await t.contact()
            for _ in 0..<2 {
                let deal = try await t.services.deals.create(
                    pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Actor(kind: .api))
                _ = try await t.services.deals.move(deal.id, to: "answer_received", actor: Actor(kind: .api))
            }
            var definition = Fixtures.salesDefinition()
            definition.stages.removeAll { $0.key == "answer_received" }
            do {
                _ = try await t.services.pipelines.apply(definition)
                Issue.record("the apply was not refused")
            } catch AppError.refused(let violations) {
                #expect(violations.map(\.message.en) == ["Stage 'Answer received' is removed but holds 2 deals: map it to a stage in stageMapping"])
                #expect(violations[0].stage == "answer_received")
            }
            #expect(try await t.services.store.read { s in try await s.requirePipeline("sales") }.stage("answer_received") != nil)
            definition.stageMapping = ["answer_received": "proposal_made"]
            let result = try await t.services.pipelines.apply(definition)
            #expect(result.remapped == ["answer_received": 2])
            let counts = try await t.services.store.read { s in try await s.dealCounts(pipeline: "sales", status: .open) }
            #expect(counts == ["proposal_made": 2])
            let log = try await t.services.store.read { s in try await s.stageLog(deal: DealID(1)) }
            #expect(log.last?.cause == "definition change")
        }
    }

    @Test func aBrokenFileIsRefusedWithItsPath() async throws {
        do {
            _ = try PipelineService.parse("key: sales\nname: {ru: Продажи, en: Sales}\nstages:\n- key: a\n  kind: sideways\n")
            Issue.record("parsed a broken file")
        } catch AppError.badRequest(let message, _) {
            #expect(message.contains("stages[0]"))
        }
    }

    /// A YAML 1.1 library reads a trigger's `on:` as a boolean and saves it back as `true:`; both spellings apply.
    @Test(arguments: ["on", "true"])
    func aTriggerKeyedTrueAppliesLikeOn(key: String) async throws {
        try await TestServices.with(sales: false) { t in
            let text = """
                key: greeting
                name: {ru: Приветствие, en: Greeting}
                stages:
                - {key: first, kind: process, name: {ru: Первый, en: First}}
                - {key: won, kind: conversion, outcome: won, name: {ru: Успех, en: Won}}
                - {key: lost, kind: conversion, outcome: lost, name: {ru: Отказ, en: Lost}}
                automations:
                - key: greet
                  trigger: {\(key): deal_created}
                  actions:
                  - {do: create_task, title: Поздороваться, due: 1d}

                """
            let result = try await t.services.pipelines.apply(text: text)
            #expect(result.created && result.pipeline.automations.count == 1)
            #expect(try await t.services.pipelines.export("greeting").contains("on: deal_created"), "exported with `on:`")
            let deal = try await t.services.deals.create(pipeline: "greeting", stage: nil, input: DealInput(title: "Шкаф"), actor: Actor(kind: .api))
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }
            #expect(tasks.map(\.title) == ["Поздороваться"])
        }
    }
}

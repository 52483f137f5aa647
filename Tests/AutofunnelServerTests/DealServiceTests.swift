import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Testing

@Suite("Deal commands through the one transition path")
struct DealServiceTests {
    let api = Actor(kind: .api)

    @Test(arguments: StoreTarget.available)
    func aDealRunsThroughThePipelineToWon(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let deals = t.services.deals
            let contact = try await t.contact()
            let deal = try await deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            await #expect(throws: AppError.self) { try await deals.move(deal.id, to: "processing_request", actor: api) }
            _ = try await deals.move(deal.id, to: "processing_request", input: t.completeInput(contact: contact), actor: api)
            for stage: StageKey in ["proposal_made", "answer_received", "invoice_sent"] { _ = try await deals.move(deal.id, to: stage, actor: api) }
            let won = try await deals.close(deal.id, won: true, reason: nil, comment: nil, actor: api)
            #expect(won.status == .won)
            let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
            #expect(
                log.map(\.to.rawValue) == ["new_lead", "processing_request", "proposal_made", "answer_received", "invoice_sent", "order_received"])
            #expect(log.map(\.cause) == ["created", "move", "move", "move", "move", "close"])
            #expect(log.last?.responsible == t.manager.id)
            #expect(log.last?.amount?.decimalText == "48500.00")
        }
    }

    @Test func aRefusedMoveWritesNothing() async throws {
        try await TestServices.with() { t in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            // The amount is valid but the move is refused: the amount must not be saved either.
            await #expect(throws: AppError.self) {
                try await t.services.deals.move(
                    deal.id, to: "processing_request", input: DealInput(amount: .init(value: "10", currency: "RUB")), actor: api)
            }
            let (now, log, timeline) = try await t.services.store.read { s in
                (try await s.deal(deal.id), try await s.stageLog(deal: deal.id), try await s.timeline(deal: deal.id))
            }
            #expect(now == deal)
            #expect(log.count == 1)
            #expect(timeline.map(\.kind) == ["created"])
        }
    }

    @Test func fieldChangesAreOnTheTimeline() async throws {
        try await TestServices.with() { t in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            _ = try await t.services.deals.update(
                deal.id, input: DealInput(title: "Шкаф-купе", amount: .init(value: "100", currency: "RUB"), fields: ["subject": .string("Мебель")]),
                actor: Actor(kind: .user, userID: t.manager.id))
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }
            let changes = timeline.filter { $0.kind == "field" }.map { "\($0.field!): \($0.old ?? "∅") → \($0.new ?? "∅")" }
            #expect(changes == ["title: Шкаф → Шкаф-купе", "amount: ∅ → 100.00 RUB", "fields.subject: ∅ → Мебель"])
            #expect(timeline.last?.actor == Actor(kind: .user, userID: t.manager.id))
        }
    }

    @Test(arguments: StoreTarget.available)
    func closeAndCopyKeepsLineageContactFieldsAndNotes(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "production"))
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
            _ = try await t.services.store.write { s in
                try await s.insertNote(deal: deal.id, text: "Клиент просил зеркало", author: t.manager.id, at: Fixtures.t0)
            }
            let (closed, copy) = try await t.services.deals.copy(deal.id, to: "production", stage: "processing_request", actor: api)
            #expect(closed.status == .won && closed.stage == "order_received")
            #expect(copy.id != deal.id)
            #expect(copy.lineage == deal.lineage)
            #expect(copy.pipeline == "production" && copy.stage == "processing_request" && copy.status == .open)
            #expect(copy.contact == contact.id && copy.fields == deal.fields && copy.amount == deal.amount)
            let (notes, copyLog, closedLog) = try await t.services.store.read { s in
                (try await s.notes(deal: copy.id), try await s.stageLog(deal: copy.id), try await s.stageLog(deal: deal.id))
            }
            #expect(notes.map(\.text) == ["Клиент просил зеркало"])
            #expect(copyLog.map(\.cause) == ["copy from sales"])
            #expect(copyLog[0].lineage == deal.lineage)
            #expect(closedLog.last?.cause == "copy to production")
        }
    }

    @Test func reopenReturnsToTheStageBeforeClosing() async throws {
        try await TestServices.with() { t in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            _ = try await t.services.deals.close(deal.id, won: false, reason: "too_expensive", comment: "Дорого", actor: api)
            await #expect(throws: AppError.self) { try await t.services.deals.move(deal.id, to: "proposal_made", actor: api) }
            await #expect(throws: AppError.self) { try await t.services.deals.reopen(deal.id, reason: "", stage: nil, actor: api) }
            let reopened = try await t.services.deals.reopen(deal.id, reason: "Клиент вернулся", stage: nil, actor: api)
            #expect(reopened.status == .open && reopened.stage == "new_lead" && reopened.lossComment == nil)
            let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
            #expect(log.last?.cause == "reopen: Клиент вернулся")
        }
    }

    @Test func stageResponsibleOnEntryTakesOver() async throws {
        try await TestServices.with(sales: false) { t in
            var definition = Fixtures.salesDefinition()
            definition.stages[4].responsibleOnEntry = "head@example.com"
            _ = try await t.services.pipelines.apply(definition)
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: t.completeInput(contact: try await t.contact()), actor: api)
            let moved = try await t.services.deals.move(deal.id, to: "invoice_sent", actor: api)
            #expect(moved.responsible == t.head.id)
        }
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// A deal is copied into a pipeline once (issue 16, point 7): a second close-and-copy answers 409 naming the copy,
/// however many arrive at once, and a `copy_to_pipeline` rule that fires again writes an automation error instead.
@Suite("Close-and-copy makes one copy per pipeline")
struct CopyOnceTests {
    let api = Actor(kind: .api)

    func copies(of deal: DealID, in pipeline: PipelineKey, _ t: TestServices) async throws -> [Deal] {
        try await t.services.store.read { s in
            try await s.deals(DealFilter(pipeline: pipeline), after: nil, limit: 100).items.filter { $0.copiedFrom == deal }
        }
    }

    @Test(arguments: StoreTarget.available)
    func aSecondCopyIsRefusedNamingTheFirst(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "production"))
            let input = t.completeInput(contact: try await t.contact())
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            let (closed, copy) = try await t.services.deals.copy(deal.id, to: "production", stage: nil, actor: api)
            #expect(closed.status == .won)
            do {
                _ = try await t.services.deals.copy(deal.id, to: "production", stage: nil, actor: api)
                Issue.record("a second copy was made")
            } catch AppError.conflict(let message) {
                #expect(message.contains("already copied to pipeline 'production' as deal \(copy.id)"), "\(message)")
            }
            #expect(try await copies(of: deal.id, in: "production", t).map(\.id) == [copy.id])
            // The copy itself may go on into a pipeline of its own.
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "delivery"))
            _ = try await t.services.deals.copy(copy.id, to: "delivery", stage: nil, actor: api)
        }
    }

    @Test(arguments: StoreTarget.available)
    func concurrentCopiesMakeExactlyOne(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "production"))
            let input = t.completeInput(contact: try await t.contact())
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            let services = t.services
            let actor = api
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            _ = try await services.deals.copy(deal.id, to: "production", stage: nil, actor: actor)
                            return "copied"
                        } catch AppError.conflict {
                            return "conflict"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.sorted() == ["conflict", "conflict", "conflict", "conflict", "conflict", "copied"])
            #expect(try await copies(of: deal.id, in: "production", t).count == 1)
        }
    }

    @Test(arguments: StoreTarget.available)
    func aRuleThatFiresAgainMakesNoSecondCopy(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "production"))
            _ = try await t.services.pipelines.apply(
                PipelineDefinition(
                    key: "relay", name: .init(ru: "Эстафета", en: "Relay"),
                    stages: [
                        .init(key: "first", name: .init(ru: "Первый", en: "First"), kind: .process),
                        .init(key: "ready", name: .init(ru: "К передаче", en: "Ready"), kind: .process),
                        .init(key: "won", name: .init(ru: "Передано", en: "Handed over"), kind: .conversion, outcome: .won),
                        .init(key: "lost", name: .init(ru: "Отказ", en: "Lost"), kind: .conversion, outcome: .lost),
                    ],
                    automations: [
                        AutomationSpec(
                            key: "hand_over", trigger: .init(on: "stage_entered", stage: "ready"),
                            actions: [.init(do: "copy_to_pipeline", pipeline: "production")])
                    ]))
            let deal = try await t.services.deals.create(pipeline: "relay", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            #expect(try await t.services.deals.move(deal.id, to: "ready", actor: api).status == .won)
            _ = try await t.services.deals.reopen(deal.id, reason: "Передали рано", stage: "first", actor: api)
            let again = try await t.services.deals.move(deal.id, to: "ready", actor: api)
            #expect(again.status == .open && again.stage == "ready", "the move stands; only the rule's copy is refused")
            #expect(try await copies(of: deal.id, in: "production", t).count == 1)
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }
            #expect(timeline.contains { $0.kind == "automation_error" && $0.field == "hand_over" && ($0.text ?? "").contains("already copied") })
        }
    }
}

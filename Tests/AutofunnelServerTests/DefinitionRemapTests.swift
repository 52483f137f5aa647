import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// Applying a definition that removes a stage moves its deals into the stage `stageMapping` names, through the one
/// transition path and with everything any move does.
@Suite("Remapping the deals of a removed stage")
struct DefinitionRemapTests {
    static let api = Actor(kind: .api)
    /// Imports may move nothing at all: the remap is the definition's author's decision and asks no policy.
    static let importsMayNotMove = PipelineDefinition.Policy(import: .init(forward: false, backward: false, skip: false, close: false))

    /// The sales fixture with a task and a time-in-stage rule in `answer_received` and a task on entering `invoice_sent`;
    /// `removing` drops `answer_received` (mapped to `invoice_sent`) and makes `proposal_made` require `source`.
    static func definition(removing: Bool) -> PipelineDefinition {
        var d = Fixtures.salesDefinition(policy: importsMayNotMove)
        d.automations = [
            AutomationSpec(
                key: "check_payment", trigger: .init(on: "stage_entered", stage: "invoice_sent"),
                actions: [.init(do: "create_task", title: "Проверить оплату", due: "1d")])
        ]
        guard removing else {
            d.automations! += [
                AutomationSpec(
                    key: "call_back", trigger: .init(on: "stage_entered", stage: "answer_received"),
                    actions: [.init(do: "create_task", title: "Перезвонить", due: "1d")]),
                AutomationSpec(
                    key: "stale", trigger: .init(on: "time_in_stage", stage: "answer_received", after: "3d"),
                    actions: [.init(do: "create_task", title: "Напомнить", due: "1d")]),
            ]
            return d
        }
        d.stages.removeAll { $0.key == "answer_received" }
        // A field the deals never filled, on a stage the mapping passes over.
        d.stages[d.stages.firstIndex { $0.key == "proposal_made" }!].requiredToLeave = ["source"]
        d.stageMapping = ["answer_received": "invoice_sent"]
        return d
    }

    @Test(arguments: StoreTarget.available)
    func remapDealsClosesTheOldStagesTasksCancelsItsTimersAndLogsEachMove(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.services.pipelines.apply(Self.definition(removing: false))
            let contact = try await t.contact()
            var moved: [DealID] = []
            for _ in 0..<2 {
                let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Self.api)
                _ = try await t.services.deals.move(deal.id, to: "answer_received", actor: Self.api)
                moved.append(deal.id)
            }
            let staying = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Self.api)
            _ = try await t.services.deals.move(staying.id, to: "proposal_made", actor: Self.api)
            #expect(try await t.services.store.read { s in try await s.timerCounts(now: Fixtures.t0).pending } == 4, "a task's and a rule's per deal")
            _ = try await t.services.store.write { s in
                try await s.insertEndpoint(
                    name: "moves", url: "http://127.0.0.1:9/moves", secret: WebhookSigner.newSecret(), events: ["deal.stage_changed"], at: Fixtures.t0
                )
            }

            let result = try await t.services.pipelines.apply(Self.definition(removing: true))

            // Neither the import policy (nothing allowed) nor `source`, which the new definition requires and the deals
            // never filled, keeps them in a stage that is gone.
            #expect(result.remapped == ["answer_received": 2])
            let invoiceBit = try #require(try await t.services.store.read { s in try await s.stageBits("sales") }["invoice_sent"])
            for id in moved {
                #expect(try await t.services.store.read { s in try await s.deal(id) }.stage == "invoice_sent")
                let log = try await t.services.store.read { s in try await s.stageLog(deal: id) }
                #expect(log.count == 3, "created, the move, the remap")
                let row = try #require(log.last)
                #expect(row.from == "answer_received" && row.to == "invoice_sent" && row.actor.kind == .import && row.cause == "definition change")
                let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: id)) }
                #expect(tasks.map(\.title) == ["Перезвонить", "Проверить оплату"])
                #expect(tasks[0].stage == "answer_received" && tasks[0].status == .closed && tasks[0].completedAt == row.at)
                #expect(tasks[1].stage == "invoice_sent" && tasks[1].status == .open, "the entered stage's rule ran")
                #expect(try await t.services.store.read { s in try await s.enteredMask(id) } & invoiceBit != 0)
                let timeline = try await t.services.store.read { s in try await s.timeline(deal: id) }
                #expect(timeline.contains { $0.kind == "stage" && $0.new == "invoice_sent" && $0.actor?.kind == .import })
            }
            let far = Timestamp(millis: Int64.max / 2)
            let timers = try await t.services.store.write { s in try await s.claimDueTimers(now: far, owner: "test", until: far, limit: 100) }
            #expect(timers.map(\.stage) == ["invoice_sent", "invoice_sent"], "only the new tasks' due times; the old stage's timers are gone")
            #expect(Set(timers.map(\.deal)) == Set(moved))
            let published = try await t.services.store.read { s in try await s.outbox(status: nil) }
            #expect(published.filter { $0.type == "deal.stage_changed" }.count == 2)
            #expect(try await t.services.store.read { s in try await s.stageLog(deal: staying.id) }.count == 2, "other stages' deals stay")

            // The policy and required fields still bind every other import move.
            do {
                _ = try await t.services.deals.move(staying.id, to: "invoice_sent", actor: Actor(kind: .import))
                Issue.record("an import move the policy forbids was accepted")
            } catch AppError.refused(let violations) {
                #expect(violations.map(\.rule) == [.policyForbids, .requiredField])
            }
        }
    }
}

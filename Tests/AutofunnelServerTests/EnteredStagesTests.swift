import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// The conversion report reads each deal's entered stages from a mask kept beside the stage log. These tests hold it
/// to the log itself, read deal by deal, when stages are reordered, removed and added again.
@Suite("Entered-stage masks")
struct EnteredStagesTests {
    let api = Actor(kind: .api)

    /// The conversion counts computed in Swift from every deal's stage log: the independent reference.
    static func fromTheLog(_ t: TestServices, pipeline key: PipelineKey) async throws -> (reached: [Int], entered: [Int], backward: [Double?]) {
        let pipeline = try await t.services.store.read { s in try await s.requirePipeline(key) }
        let funnel = (pipeline.openStages + [pipeline.wonStage]).map(\.key)
        let deals = try await t.services.store.read { s in try await s.deals(DealFilter(pipeline: key), after: nil, limit: 100_000) }.items
        var reached = Array(repeating: 0, count: funnel.count)
        var entered = Array(repeating: 0, count: funnel.count)
        var out = Array(repeating: 0, count: funnel.count)
        var back = Array(repeating: 0, count: funnel.count)
        for deal in deals {
            let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
            let positions = log.compactMap { funnel.firstIndex(of: $0.to) }
            guard let top = positions.max() else { continue }
            for i in 0...top { reached[i] += 1 }
            for i in Set(positions) { entered[i] += 1 }
            for row in log {
                guard let from = row.from.flatMap({ funnel.firstIndex(of: $0) }) else { continue }
                out[from] += 1
                if let to = funnel.firstIndex(of: row.to), to < from { back[from] += 1 }
            }
        }
        return (reached, entered, zip(back, out).map { $1 == 0 ? nil : Double($0) / Double($1) })
    }

    static func expectReportMatchesTheLog(_ t: TestServices, pipeline: PipelineKey = "sales") async throws {
        let report = try await t.services.reports.conversion(
            ReportScope(pipeline: pipeline, from: Timestamp(millis: 0), to: t.clock.now().adding(millis: 1)))
        let expected = try await fromTheLog(t, pipeline: pipeline)
        #expect(report.steps.map(\.reached) == expected.reached)
        #expect(report.steps.map(\.entered) == expected.entered)
        #expect(report.steps.map(\.backwardRate) == expected.backward)
    }

    /// Reordering two stages changes which deals count as having reached them, and no mask needs rewriting.
    @Test(arguments: StoreTarget.available)
    func reorderedStagesAreCountedInTheNewOrder(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await ReportTests.history(t)
            try await Self.expectReportMatchesTheLog(t)
            var definition = Fixtures.salesDefinition()
            let answer = definition.stages.remove(at: 3)
            definition.stages.insert(answer, at: 2)
            _ = try await t.services.pipelines.apply(definition)
            let report = try await t.services.reports.conversion(ReportTests.everything(t))
            #expect(
                report.steps.map(\.stage) == ["new_lead", "processing_request", "answer_received", "proposal_made", "invoice_sent", "order_received"])
            // D3 went new_lead → answer_received → proposal_made: a forward path now, so it reaches proposal_made.
            // D1's proposal_made → answer_received is now the backward move: one of the two moves out of proposal_made.
            #expect(report.steps.map(\.reached) == [5, 3, 3, 3, 1, 1])
            #expect(report.steps.map(\.backwardRate) == [0, 0, 0, 0.5, 0, nil])
            try await Self.expectReportMatchesTheLog(t)
        }
    }

    /// A pipeline that has had more stage keys than a mask has bits reuses the bits of removed keys, clearing them
    /// from its deals first, so a new stage never inherits the history of an old one.
    @Test func bitsOfRemovedStagesAreReusedWithoutLeakingTheirHistory() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            for n in 1...70 {
                var definition = Fixtures.salesDefinition()
                definition.stages.insert(.init(key: "extra_\(n)", name: .init(ru: "Этап \(n)", en: "Stage \(n)"), kind: .process), at: 3)
                _ = try await t.services.pipelines.apply(definition)
                let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
                _ = try await t.services.deals.move(deal.id, to: StageKey("extra_\(n)"), actor: api)
                _ = try await t.services.deals.move(deal.id, to: "invoice_sent", actor: api)
            }
            let report = try await t.services.reports.conversion(ReportTests.everything(t))
            #expect(report.total == 70)
            #expect(report.steps.first { $0.stage == "extra_70" }?.entered == 1)
            try await Self.expectReportMatchesTheLog(t)

            // extra_1's bit went to a later key; back in the definition it gets a free bit, set on the deal that entered it.
            var returning = Fixtures.salesDefinition()
            returning.stages.insert(.init(key: "extra_1", name: .init(ru: "Этап 1", en: "Stage 1"), kind: .process), at: 3)
            _ = try await t.services.pipelines.apply(returning)
            let again = try await t.services.reports.conversion(ReportTests.everything(t))
            #expect(again.steps.first { $0.stage == "extra_1" }?.entered == 1)
            try await Self.expectReportMatchesTheLog(t)
        }
    }
}

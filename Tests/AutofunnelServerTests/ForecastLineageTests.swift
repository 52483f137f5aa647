import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The forecast and the lineage report on small histories whose figures are worked out by hand below.
@Suite("Forecast and lineage")
struct ForecastLineageTests {
    static let day: Int64 = 86_400_000

    /// A: new_lead → processing_request, 10 days, → proposal_made → answer_received → invoice_sent, 20 days, → won.
    /// B: new_lead → processing_request → lost. C: 1,000 RUB, open in new_lead. E: 300 USD, open in proposal_made.
    /// Entered/won: new_lead 4/1 = 25 %, processing_request 3/1, proposal_made 2/1 = 50 %; A took 30 days from new_lead
    /// and 20 from proposal_made. C and E entered their stages at t0 + 30 d (2026-12-18), so they are expected to close
    /// on 2027-01-17 and 2027-01-07: 2027-01, 250.00 RUB expected of 1,000, and 150.00 USD of 300.
    @Test(arguments: StoreTarget.available)
    func forecastWeighsOpenAmountsByHistoricalOddsInTheExpectedCloseMonth(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let api = Actor(kind: .api)
            let deals = t.services.deals
            let contact = try await t.contact()
            func make(_ amount: String, _ currency: String) async throws -> DealID {
                var input = t.completeInput(contact: contact)
                input.amount = .init(value: amount, currency: currency)
                return try await deals.create(pipeline: "sales", stage: nil, input: input, actor: api).id
            }
            let a = try await make("100", "RUB")
            _ = try await deals.move(a, to: "processing_request", actor: api)
            t.clock.advance(millis: 10 * Self.day)
            for stage: StageKey in ["proposal_made", "answer_received", "invoice_sent"] { _ = try await deals.move(a, to: stage, actor: api) }
            t.clock.advance(millis: 20 * Self.day)
            _ = try await deals.close(a, won: true, reason: nil, comment: nil, actor: api)
            let b = try await make("70", "RUB")
            _ = try await deals.move(b, to: "processing_request", actor: api)
            _ = try await deals.close(b, won: false, reason: "spam", comment: nil, actor: api)
            _ = try await make("1000", "RUB")
            let e = try await make("300", "USD")
            _ = try await deals.move(e, to: "processing_request", actor: api)
            _ = try await deals.move(e, to: "proposal_made", actor: api)

            let report = try await t.services.reports.forecast(
                ReportScope(pipeline: "sales", from: Timestamp(millis: 0), to: t.clock.now().adding(millis: 1)))
            let odds = Dictionary(uniqueKeysWithValues: report.stages.map { ($0.stage, $0) })
            #expect(odds["new_lead"]?.probability == 0.25 && odds["new_lead"]?.source == "history" && odds["new_lead"]?.open == 1)
            #expect(odds["processing_request"]?.entered == 3 && odds["processing_request"]?.won == 1)
            #expect(odds["proposal_made"]?.probability == 0.5 && odds["proposal_made"]?.open == 1)
            let toWon = try #require(odds["new_lead"]?.medianMillisToWon)
            #expect(abs(toWon - 30 * Self.day) < 60_000)
            #expect(odds["invoice_sent"]?.probability == 1 && odds["invoice_sent"]?.open == 0)
            #expect(
                report.rows.map { "\($0.month) \($0.deals) \($0.amount.decimalText) \($0.expected.decimalText) \($0.currency.code)" } == [
                    "2027-01 1 1000.00 250.00 RUB", "2027-01 1 300.00 150.00 USD",
                ])
            // The same through the API, and as CSV.
            try await t.withAPI { api in
                let json = try await api.request(.get, "/api/v1/pipelines/sales/reports/forecast")
                #expect(json.status == 200)
                let rows = json.object["rows"] as? [[String: Any]] ?? []
                #expect(rows.count == 2 && (rows.first?["expected"] as? [String: Any])?["value"] as? String == "250.00")
                let csv = try await api.request(.get, "/api/v1/pipelines/sales/reports/forecast", headers: ["Accept": "text/csv"])
                #expect(csv.text == "month,currency,deals,amount,expected\r\n2027-01,RUB,1,1000.00,250.00\r\n2027-01,USD,1,300.00,150.00\r\n")
            }
        }
    }

    @Test func aConfiguredProbabilityWinsAndAPastCloseDateFallsInThisMonth() throws {
        var definition = Fixtures.salesDefinition()
        definition.stages[1].probability = 40
        guard case .success(let pipeline) = definition.validated(knownFields: FieldCatalog(Fixtures.salesPipeline().0.declaredFields)) else {
            Issue.record("fixture invalid")
            return
        }
        let now = Fixtures.t0
        let open = [
            ForecastReport.OpenDeal(
                stage: "processing_request", amount: Money(scaledUnits: 1000 * Money.scale, currency: CurrencyCode("RUB")!),
                stageEnteredAt: Timestamp(millis: now.millis - 90 * Self.day))
        ]
        let history: [StageKey: ForecastReport.History] = [
            "processing_request": ForecastReport.History(entered: 10, won: 1, millisToWon: [5 * Self.day, 7 * Self.day, 60 * Self.day])
        ]
        let report = ForecastReport(pipeline: pipeline, open: open, history: history, now: now)
        let odds = try #require(report.stages.first { $0.stage == "processing_request" })
        #expect(odds.probability == 0.4 && odds.source == "configured" && odds.medianMillisToWon == 7 * Self.day)
        // Entered 90 days ago, 7 days to won at the median: already past, so expected now (2026-11).
        #expect(report.rows.map { "\($0.month) \($0.expected.decimalText)" } == ["2026-11 400.00"])
        #expect(report.stages.first { $0.stage == "new_lead" }?.source == "none")
    }

    /// Q1 qualification → sales → production, won there; Q2 → sales, lost; Q3 lost in qualification; Q4 open.
    /// Started 4; sales reached 2 (50 %); production 1 (50 % of sales, 25 % of started), won 1: end to end 25 %.
    @Test(arguments: StoreTarget.available)
    func lineageFollowsLeadsThroughCopiesToWonInTheLastPipeline(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            for key in ["qual", "prod"] { _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: key)) }
            let api = Actor(kind: .api)
            let deals = t.services.deals
            let contact = try await t.contact()
            func lead() async throws -> DealID {
                try await deals.create(pipeline: "qual", stage: nil, input: t.completeInput(contact: contact), actor: api).id
            }
            let q1 = try await lead()
            let s1 = try await deals.copy(q1, to: "sales", stage: nil, actor: api).copy
            let p1 = try await deals.copy(s1.id, to: "prod", stage: nil, actor: api).copy
            _ = try await deals.close(p1.id, won: true, reason: nil, comment: nil, actor: api)
            let q2 = try await lead()
            let s2 = try await deals.copy(q2, to: "sales", stage: nil, actor: api).copy
            _ = try await deals.close(s2.id, won: false, reason: "spam", comment: nil, actor: api)
            _ = try await deals.close(try await lead(), won: false, reason: "spam", comment: nil, actor: api)
            _ = try await lead()
            // A lead that started in sales is not part of the qualification journey.
            _ = try await deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)

            let scope = ReportScope(pipeline: "qual", from: Timestamp(millis: 0), to: t.clock.now().adding(millis: 1))
            let report = try await t.services.reports.lineage(scope, then: ["sales", "prod"])
            #expect(report.started == 4 && report.wonAtEnd == 1 && report.endToEnd == 0.25)
            #expect(report.steps.map(\.reached) == [4, 2, 1])
            #expect(report.steps.map(\.stepConversion) == [nil, 0.5, 0.5])
            #expect(report.steps.map(\.won) == [2, 1, 1], "a close-and-copy closes the original as won")
            try await t.withAPI { api in
                let csv = try await api.request(.get, "/api/v1/pipelines/qual/reports/lineage?then=sales,prod", headers: ["Accept": "text/csv"])
                #expect(csv.status == 200 && csv.text.contains("prod,Sales,Продажи,1,1,0.5000,0.2500"))
                let unknown = try await api.request(.get, "/api/v1/pipelines/qual/reports/lineage?then=nowhere")
                #expect(unknown.status == 404 || unknown.status == 422)
            }
        }
    }
}

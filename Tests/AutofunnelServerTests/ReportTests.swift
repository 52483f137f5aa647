import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Reports from the stage log on a small history whose figures are computed by hand (see each expectation).
@Suite("Funnel analytics")
struct ReportTests {
    /// D1 won through every stage; D2 lost as too expensive from proposal_made; D3 skipped to answer_received and went
    /// back to proposal_made; D4 lost as spam from new_lead; D5 still in new_lead.
    static func history(_ t: TestServices) async throws {
        let api = Actor(kind: .api)
        let deals = t.services.deals
        let contact = try await t.contact()
        func make(_ amount: String) async throws -> DealID {
            var input = t.completeInput(contact: contact)
            input.amount = .init(value: amount, currency: "RUB")
            return try await deals.create(pipeline: "sales", stage: nil, input: input, actor: api).id
        }
        let d1 = try await make("100")
        for stage: StageKey in ["processing_request", "proposal_made", "answer_received"] {
            _ = try await deals.move(d1, to: stage, actor: api)
        }
        // The head of sales takes the deal over before the invoice: that step is theirs.
        _ = try await deals.update(d1, input: DealInput(responsible: t.head.id), actor: api)
        _ = try await deals.move(d1, to: "invoice_sent", actor: api)
        _ = try await deals.close(d1, won: true, reason: nil, comment: nil, actor: api)
        let d2 = try await make("200")
        _ = try await deals.move(d2, to: "processing_request", actor: api)
        _ = try await deals.move(d2, to: "proposal_made", actor: api)
        _ = try await deals.close(d2, won: false, reason: "too_expensive", comment: "Дорого", actor: api)
        let d3 = try await make("50")
        _ = try await deals.move(d3, to: "answer_received", actor: api)
        _ = try await deals.move(d3, to: "proposal_made", actor: api)
        let d4 = try await make("70")
        _ = try await deals.close(d4, won: false, reason: "spam", comment: nil, actor: api)
        _ = try await make("10")
    }

    static func everything(_ t: TestServices) -> ReportScope {
        ReportScope(pipeline: "sales", from: Timestamp(millis: 0), to: t.clock.now().adding(millis: 1))
    }

    @Test(arguments: StoreTarget.available)
    func conversionCountsReachesEntriesWideningAndBackwardMoves(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            let r = try await t.services.reports.conversion(Self.everything(t))
            #expect(r.total == 5 && r.open == 2 && r.won == 1 && r.lost == 2)
            #expect(r.steps.map(\.stage) == ["new_lead", "processing_request", "proposal_made", "answer_received", "invoice_sent", "order_received"])
            #expect(r.steps.map(\.reached) == [5, 3, 3, 2, 1, 1])
            #expect(r.steps.map(\.shareOfAll) == [1.0, 0.6, 0.6, 0.4, 0.2, 0.2])
            #expect(r.steps.map(\.stepConversion) == [nil, 0.6, 1.0, 2.0 / 3.0, 0.5, 1.0])
            #expect(r.steps.map(\.entered) == [5, 2, 3, 2, 1, 1])
            #expect(r.steps.map(\.widens) == [false, false, true, false, false, false])
            #expect(r.steps.map(\.backwardRate) == [0, 0, 0, 0.5, 0, nil])
        }
    }

    @Test(arguments: StoreTarget.available)
    func lossReasonsWithAmountsStagesAndComments(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            let r = try await t.services.reports.losses(Self.everything(t))
            #expect(r.reasons.map(\.reason) == ["spam", "too_expensive"])
            #expect(r.reasons.map(\.count) == [1, 1])
            #expect(r.reasons.map { $0.amounts.map(DealChanges.render) } == [["70.00 RUB"], ["200.00 RUB"]])
            #expect(r.reasons.map(\.fromStage) == [["new_lead": 1], ["proposal_made": 1]])
            #expect(r.reasons.map(\.comments) == [[], ["Дорого"]])
        }
    }

    @Test(arguments: StoreTarget.available)
    func revenuePerMonthAndCurrency(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            let r = try await t.services.reports.revenue(Self.everything(t))
            #expect(r.rows.map(\.month) == ["2026-11"])
            #expect(r.rows.map(\.won) == [1])
            #expect(r.rows.map { $0.revenue.map(DealChanges.render) } == ["100.00 RUB"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func perManagerStepsAreAttributedToWhoWasResponsibleThen(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            let r = try await t.services.reports.managers(Self.everything(t))
            let m = t.manager.id
            let h = t.head.id
            #expect(
                r.rows == [
                    .init(responsible: m, stage: "new_lead", entered: 5, advanced: 3),
                    .init(responsible: m, stage: "processing_request", entered: 2, advanced: 2),
                    .init(responsible: m, stage: "proposal_made", entered: 3, advanced: 2),
                    .init(responsible: m, stage: "answer_received", entered: 2, advanced: 1),
                    .init(responsible: h, stage: "invoice_sent", entered: 1, advanced: 1),
                ])
        }
    }

    @Test(arguments: StoreTarget.available)
    func timeInStageLimitsAndStaleDeals(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let api = Actor(kind: .api)
            let contact = try await t.contact()
            var ids: [DealID] = []
            for _ in 0..<3 {
                ids.append(try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api).id)
            }
            let hour: Int64 = 3_600_000
            for (id, wait) in zip(ids, [hour, hour, 8 * hour]) {
                t.clock.advance(millis: wait)
                _ = try await t.services.deals.move(id, to: "processing_request", actor: api)
            }
            t.clock.advance(millis: 48 * hour)
            let r = try await t.services.reports.stageTimes(Self.everything(t), staleAfterDays: 1)
            let newLead = try #require(r.stages.first { $0.stage == "new_lead" })
            #expect(newLead.visits == 3)
            // Nearest rank over [1 h, 2 h, 10 h]: p50 is the second, p90 the third; a few ms of clock reads on top.
            #expect(abs((newLead.p50Millis ?? 0) - 2 * hour) < 100)
            #expect(abs((newLead.p90Millis ?? 0) - 10 * hour) < 100)
            let processing = try #require(r.stages.first { $0.stage == "processing_request" })
            #expect(processing.visits == 0 && processing.openNow == 3 && processing.overLimit == 3)
            #expect(abs((processing.oldestMillis ?? 0) - 57 * hour) < 100)
            #expect(r.stages.first { $0.stage == "invoice_sent" }?.isKeyStage == true)
            #expect(r.staleDeals == ids)
            let fresh = try await t.services.reports.stageTimes(Self.everything(t), staleAfterDays: 3)
            #expect(fresh.staleDeals.isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func cohortsByMonthAndWeek(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            t.clock.advance(millis: 7 * 86_400_000)
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Через неделю"), actor: Actor(kind: .api))
            let months = try await t.services.reports.cohorts(Self.everything(t), period: .month)
            #expect(months.rows == [.init(cohort: "2026-11", created: 6, won: 1, lost: 2, open: 3, wonWithin30Days: 1, wonWithin90Days: 1)])
            let weeks = try await t.services.reports.cohorts(Self.everything(t), period: .week)
            #expect(weeks.rows.map(\.cohort) == ["2026-11-16", "2026-11-23"])
            #expect(weeks.rows.map(\.created) == [5, 1])
            #expect(weeks.rows[0].conversion == 0.2)
        }
    }

    @Test func scopeFiltersNarrowTheDeals() async throws {
        try await TestServices.with { t in
            try await Self.history(t)
            var scope = Self.everything(t)
            scope.responsible = t.head.id
            #expect(try await t.services.reports.conversion(scope).total == 1)
            scope.responsible = t.manager.id
            #expect(try await t.services.reports.conversion(scope).total == 4)
            scope.responsible = nil
            scope.currency = CurrencyCode("USD")
            #expect(try await t.services.reports.conversion(scope).total == 0)
            scope.currency = nil
            scope.source = "site"
            #expect(try await t.services.reports.conversion(scope).total == 0)
            scope.to = Fixtures.t0
            #expect(try await t.services.reports.conversion(scope).total == 0)
        }
    }

    /// The history's five deals belong to a contact with no segment; two more deals of a wholesale contact (one won,
    /// one open) make the wholesale segment. Changing the contact's segment moves its deals to the new one.
    @Test(arguments: StoreTarget.available)
    func segmentFilterCountsTheDealsOfContactsInTheSegment(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await Self.history(t)
            let api = Actor(kind: .api)
            let buyer = try await t.services.parties.createContact(
                .init(name: "Опт", phones: ["+7 900 000-00-01"], fields: ["segment": .string("wholesale")]))
            let won = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: buyer), actor: api).id
            _ = try await t.services.deals.move(won, to: "invoice_sent", actor: api)
            _ = try await t.services.deals.close(won, won: true, reason: nil, comment: nil, actor: api)
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: buyer), actor: api)
            var scope = Self.everything(t)
            scope.segment = "wholesale"
            let wholesale = try await t.services.reports.conversion(scope)
            #expect(wholesale.total == 2 && wholesale.won == 1 && wholesale.open == 1)
            #expect(wholesale.steps.map(\.reached) == [2, 1, 1, 1, 1, 1])
            #expect(wholesale.steps.map(\.entered) == [2, 0, 0, 0, 1, 1])
            #expect(try await t.services.reports.revenue(scope).rows.map(\.won) == [1])
            scope.segment = "retail"
            #expect(try await t.services.reports.conversion(scope).total == 0)
            _ = try await t.services.parties.updateContact(buyer.id, .init(fields: ["segment": .string("retail")]))
            #expect(try await t.services.reports.conversion(scope).total == 2)
            scope.segment = nil
            #expect(try await t.services.reports.conversion(scope).total == 7)
            try await t.withAPI { http in
                let json = try await http.request(.get, "/api/v1/pipelines/sales/reports/conversion?segment=retail")
                #expect(json.status == 200)
                #expect(json.object["total"] as? Int == 2)
                #expect((json.object["scope"] as? [String: Any])?["segment"] as? String == "retail")
                let none = try await http.request(.get, "/api/v1/pipelines/sales/reports/losses?segment=wholesale")
                #expect((none.object["reasons"] as? [[String: Any]])?.allSatisfy { $0["count"] as? Int == 0 } == true)
            }
        }
    }

    @Test func reportsAreServedAsJSONAndCSV() async throws {
        try await TestServices.with { t in
            try await Self.history(t)
            try await t.withAPI { api in
                let json = try await api.request(.get, "/api/v1/pipelines/sales/reports/conversion")
                #expect(json.status == 200)
                #expect((json.object["steps"] as? [[String: Any]])?.map { $0["reached"] as? Int } == [5, 3, 3, 2, 1, 1])
                let csv = try await api.request(.get, "/api/v1/pipelines/sales/reports/conversion", headers: ["Accept": "text/csv"])
                #expect(csv.contentType == "text/csv")
                #expect(
                    csv.text.split(separator: "\r\n").first
                        == "stage,name_en,name_ru,reached,share_of_all,step_conversion,entered,widens,backward_rate")
                #expect(csv.text.contains("proposal_made,Proposal made,КП отправлено,3,0.6000,1.0000,3,yes,0.0000"))
                let losses = try await api.request(.get, "/api/v1/pipelines/sales/reports/losses", headers: ["Accept": "text/csv"])
                #expect(losses.text.contains("too_expensive,Too expensive,Дорого,1,200.00 RUB,proposal_made: 1"))
                let cohorts = try await api.request(.get, "/api/v1/pipelines/sales/reports/cohorts?period=week", headers: ["Accept": "text/csv"])
                #expect(cohorts.text.contains("2026-11-16,5,1,2,2,1,1,0.2000"))
                #expect(try await api.request(.get, "/api/v1/pipelines/sales/reports/cohorts?period=year").status == 400)
                let revenue = try await api.request(.get, "/api/v1/pipelines/sales/reports/revenue")
                #expect((revenue.object["rows"] as? [[String: Any]])?.first?["won"] as? Int == 1)
                let managers = try await api.request(.get, "/api/v1/pipelines/sales/reports/managers", headers: ["Accept": "text/csv"])
                #expect(managers.text.contains("\(t.head.id),invoice_sent,1,1,1.0000"))
                let times = try await api.request(.get, "/api/v1/pipelines/sales/reports/stage-times?staleAfterDays=30")
                #expect((times.object["stages"] as? [[String: Any]])?.count == 5)
                #expect(try await api.request(.get, "/api/v1/pipelines/sales/reports/stage-times?staleAfterDays=0").status == 400)
                #expect(try await api.request(.get, "/api/v1/pipelines/nope/reports/conversion").status == 404)
                #expect(try await api.request(.get, "/api/v1/pipelines/sales/reports/conversion?currency=XYZ").status == 400)
                #expect(
                    try await api.request(.get, "/api/v1/pipelines/sales/reports/conversion?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z").status
                        == 400)
            }
        }
    }
}

@Suite("Generated history")
struct GeneratedHistoryTests {
    struct Reports: Equatable {
        var conversion: ConversionReport
        var losses: LossReport
        var revenue: RevenueReport
        var managers: ManagerReport
        var times: StageTimeReport
        var cohorts: CohortReport
    }

    static func reports(_ target: StoreTarget, seed: UInt64) async throws -> Reports {
        try await TestServices.with(target, sales: false) { t in
            let summary = try await HistoryGenerator(services: t.services).run(deals: 400, seed: seed)
            #expect(summary.deals > 400 && summary.transitions > 1_000)
            let scope = ReportScope(pipeline: "sales", from: Timestamp(millis: 0), to: HistoryGenerator.end)
            let r = t.services.reports
            return Reports(
                conversion: try await r.conversion(scope), losses: try await r.losses(scope), revenue: try await r.revenue(scope),
                managers: try await r.managers(scope), times: try await r.stageTimes(scope), cohorts: try await r.cohorts(scope, period: .week))
        }
    }

    @Test func theSameSeedGivesTheSameHistoryAndANarrowingFunnel() async throws {
        let a = try await Self.reports(.sqliteMemory, seed: 42)
        let b = try await Self.reports(.sqliteMemory, seed: 42)
        #expect(a == b)
        let reached = a.conversion.steps.map(\.reached)
        #expect(reached == reached.sorted(by: >))
        #expect(a.conversion.won > 0 && a.conversion.lost > 0 && a.conversion.open > 0)
        #expect(a.losses.reasons.contains { !$0.comments.isEmpty })
        #expect(Set(a.managers.rows.compactMap(\.responsible)).count >= 6)
        #expect(a.conversion.steps.contains { ($0.backwardRate ?? 0) > 0 })
    }

    @Test func sqliteAndPostgresGiveIdenticalReports() async throws {
        guard StoreTarget.available.contains(.postgres) else { return }
        let lite = try await Self.reports(.sqliteFile, seed: 7)
        let pg = try await Self.reports(.postgres, seed: 7)
        #expect(lite.conversion == pg.conversion)
        #expect(lite.losses == pg.losses)
        #expect(lite.revenue == pg.revenue)
        #expect(lite.managers == pg.managers)
        #expect(lite.times.stages == pg.times.stages)
        #expect(lite.cohorts == pg.cohorts)
    }
}

import AutofunnelCore
import AutofunnelStore

/// Funnel analytics: every figure from the stage log, through the store's report queries.
public struct ReportService: Sendable {
    public let store: Store
    public let clock: AppClock

    public init(store: Store, clock: AppClock) {
        self.store = store
        self.clock = clock
    }

    /// Conversion to each stage and from step to step, widening steps and backward-move rates.
    public func conversion(_ scope: ReportScope) async throws -> ConversionReport {
        try await store.read { s in
            let pipeline = try await s.requirePipeline(scope.pipeline)
            return ConversionReport(pipeline: pipeline, scope: scope, counts: try await s.funnelCounts(scope, pipeline: pipeline))
        }
    }

    /// Loss reasons with counts, amounts per currency, the stages deals were lost from and recent comments.
    public func losses(_ scope: ReportScope) async throws -> LossReport {
        try await store.read { s in try await s.lossReport(scope, pipeline: try await s.requirePipeline(scope.pipeline)) }
    }

    /// Won deals and revenue per month and currency.
    public func revenue(_ scope: ReportScope) async throws -> RevenueReport {
        try await store.read { s in
            _ = try await s.requirePipeline(scope.pipeline)
            return RevenueReport(scope: scope, won: try await s.wonDeals(scope))
        }
    }

    /// Time in stage, deals over the stage's limit, key-stage ages and stale deals.
    public func stageTimes(_ scope: ReportScope, staleAfterDays: Int = 14) async throws -> StageTimeReport {
        let now = clock.now()
        return try await store.read { s in
            try await s.stageTimeReport(scope, pipeline: try await s.requirePipeline(scope.pipeline), now: now, staleAfterDays: staleAfterDays)
        }
    }

    /// Step conversion per responsible at the time of the step.
    public func managers(_ scope: ReportScope) async throws -> ManagerReport {
        try await store.read { s in try await s.managerReport(scope, pipeline: try await s.requirePipeline(scope.pipeline)) }
    }

    /// Deals per creation week or month and how many were won, lost or are still open.
    public func cohorts(_ scope: ReportScope, period: CohortReport.Period) async throws -> CohortReport {
        try await store.read { s in
            _ = try await s.requirePipeline(scope.pipeline)
            return CohortReport(scope: scope, period: period, days: try await s.cohortDays(scope))
        }
    }
}

extension ReportService {
    /// Expected revenue by expected close month and currency, with each stage's probability and where it comes from.
    public func forecast(_ scope: ReportScope) async throws -> ForecastReport {
        let now = clock.now()
        return try await store.read { s in
            let pipeline = try await s.requirePipeline(scope.pipeline)
            let (open, history) = try await s.forecastInputs(scope, pipeline: pipeline)
            return ForecastReport(pipeline: pipeline, open: open, history: history, now: now)
        }
    }
}

extension ReportService {
    /// Journeys from the scope's pipeline through `then` (in order), joined by lineage.
    public func lineage(_ scope: ReportScope, then: [PipelineKey]) async throws -> LineageReport {
        try await store.read { s in
            var path = [try await s.requirePipeline(scope.pipeline)]
            for key in then {
                guard let p = try await s.pipeline(key) else {
                    throw AppError.refused([
                        .init(rule: .unknownReference, field: "then", message: .init(ru: "Нет воронки «\(key)»", en: "No pipeline '\(key)'"))
                    ])
                }
                path.append(p)
            }
            return LineageReport(scope: scope, path: path, counts: try await s.lineageCounts(scope, path: path.map(\.key)))
        }
    }
}

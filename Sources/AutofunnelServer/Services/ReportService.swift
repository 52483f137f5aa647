import AutofunnelCore
import AutofunnelStore

/// Funnel analytics: every figure from the stage log, through the store's report queries.
public struct ReportService: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

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
}

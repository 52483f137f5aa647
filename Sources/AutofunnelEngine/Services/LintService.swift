import AutofunnelCore
import AutofunnelStore

/// Runs the funnel linter on definition files (before they are applied) or on stored pipelines with what their data
/// shows.
public struct LintService: Sendable {
    public let store: Store
    public let clock: AppClock

    public init(store: Store, clock: AppClock) {
        self.store = store
        self.clock = clock
    }

    /// Lints definition files together, in order: each file's fields are known to the files after it, as when they
    /// are applied in that order. A file that does not validate is refused with its problems, named by pipeline.
    public func lint(definitions: [PipelineDefinition]) async throws -> [LintFinding] {
        let (stored, storedKeys) = try await store.read { s in (try await s.fieldCatalog(), try await s.pipelines().map(\.key)) }
        var catalog = stored
        var pipelines: [Pipeline] = []
        var problems: [Violation] = []
        for definition in definitions {
            switch definition.validated(knownFields: catalog) {
            case .success(let p):
                pipelines.append(p)
                catalog = catalog.adding(p.declaredFields)
            case .failure(let refusal):
                problems += refusal.violations.map { v in
                    Violation(rule: v.rule, field: "\(definition.key).\(v.field ?? "")", stage: v.stage, message: v.message)
                }
            }
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        return FunnelLinter.lint(pipelines, catalog: catalog, others: Set(storedKeys))
    }

    /// Lints stored pipelines (all when `keys` is empty) together with their stage-log figures.
    public func lint(stored keys: [PipelineKey] = []) async throws -> [LintFinding] {
        let now = clock.now()
        return try await store.read { s in
            let catalog = try await s.fieldCatalog()
            let all = try await s.pipelines()
            for key in keys where !all.contains(where: { $0.key == key }) { throw AppError.notFound("No pipeline '\(key)'") }
            let chosen = keys.isEmpty ? all : all.filter { keys.contains($0.key) }
            var stats: [PipelineKey: LintStats] = [:]
            for p in chosen { stats[p.key] = try await Self.stats(p, catalog: catalog, session: s, now: now) }
            return FunnelLinter.lint(chosen, catalog: catalog, stats: stats, others: Set(all.map(\.key)))
        }
    }

    /// The figures the data rules read: the conversion report's widening steps and backward moves, deals over their
    /// stage's limit and untouched for 30 days, and how often the latest 1,000 deals have each field filled in.
    static func stats(_ p: Pipeline, catalog: FieldCatalog, session s: StoreSession, now: Timestamp) async throws -> LintStats {
        let scope = ReportScope(pipeline: p.key, from: Timestamp(millis: 0), to: now.adding(millis: 1))
        let conversion = ConversionReport(pipeline: p, scope: scope, counts: try await s.funnelCounts(scope, pipeline: p))
        let times = try await s.stageTimeReport(scope, pipeline: p, now: now, staleAfterDays: 30)
        let entered = conversion.steps.reduce(0) { $0 + $1.entered }
        let backward = conversion.steps.reduce(0.0) { $0 + ($1.backwardRate ?? 0) * Double($1.entered) }
        let latest = try await s.deals(DealFilter(pipeline: p.key), after: nil, limit: 1000).items
        var filled: [FieldKey: Int] = [:]
        for field in catalog.all(.deal) { filled[field.key] = latest.filter { ($0.fields[field.key] ?? .null) != .null }.count }
        return LintStats(
            hoarded: Dictionary(uniqueKeysWithValues: times.stages.map { ($0.stage, $0.overLimit) }), idle: times.staleDeals.count,
            widening: conversion.steps.filter(\.widens).map(\.stage), backwardRate: entered == 0 ? 0 : backward / Double(entered), moves: entered,
            filled: filled, deals: latest.count)
    }
}

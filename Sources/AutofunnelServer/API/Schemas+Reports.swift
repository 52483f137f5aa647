import AutofunnelCore
import AutofunnelEngine

extension SchemaMapping {
    static func localized(_ l: Localized) -> Components.Schemas.Localized { .init(ru: l.ru, en: l.en) }

    static func scope(_ s: ReportScope) -> Components.Schemas.ReportScope {
        .init(
            pipeline: s.pipeline.rawValue, from: date(s.from), to: date(s.to), responsibleId: s.responsible?.rawValue, source: s.source,
            segment: s.segment, currency: s.currency?.code)
    }

    static func conversion(_ r: ConversionReport) -> Components.Schemas.ConversionReport {
        .init(
            scope: scope(r.scope), total: r.total, open: r.open, won: r.won, lost: r.lost,
            steps: r.steps.map {
                .init(
                    stage: $0.stage.rawValue, name: localized($0.name), reached: $0.reached, shareOfAll: $0.shareOfAll,
                    stepConversion: $0.stepConversion,
                    entered: $0.entered, widens: $0.widens, backwardRate: $0.backwardRate)
            })
    }

    static func losses(_ r: LossReport) -> Components.Schemas.LossReport {
        .init(
            scope: scope(r.scope),
            reasons: r.reasons.map {
                .init(
                    reason: $0.reason.rawValue, name: localized($0.name), count: $0.count, amounts: $0.amounts.map(money),
                    fromStage: .init(additionalProperties: Dictionary(uniqueKeysWithValues: $0.fromStage.map { ($0.key.rawValue, $0.value) })),
                    comments: $0.comments)
            })
    }

    static func revenue(_ r: RevenueReport) -> Components.Schemas.RevenueReport {
        .init(
            scope: scope(r.scope),
            rows: r.rows.map { .init(month: $0.month, currency: $0.currency?.code, won: $0.won, revenue: $0.revenue.map(money)) })
    }

    static func stageTimes(_ r: StageTimeReport) -> Components.Schemas.StageTimeReport {
        .init(
            scope: scope(r.scope),
            stages: r.stages.map {
                .init(
                    stage: $0.stage.rawValue, name: localized($0.name), visits: $0.visits, p50Millis: $0.p50Millis, p90Millis: $0.p90Millis,
                    openNow: $0.openNow, overLimit: $0.overLimit, isKeyStage: $0.isKeyStage, oldestMillis: $0.oldestMillis)
            }, staleDealIds: r.staleDeals.map(\.rawValue), staleAfterDays: r.staleAfterDays)
    }

    static func managers(_ r: ManagerReport) -> Components.Schemas.ManagerReport {
        .init(
            scope: scope(r.scope),
            rows: r.rows.map {
                .init(
                    responsibleId: $0.responsible?.rawValue, stage: $0.stage.rawValue, entered: $0.entered, advanced: $0.advanced,
                    conversion: $0.conversion)
            })
    }

    static func cohorts(_ r: CohortReport) -> Components.Schemas.CohortReport {
        .init(
            scope: scope(r.scope), period: r.period == .week ? .week : .month,
            rows: r.rows.map {
                .init(
                    cohort: $0.cohort, created: $0.created, won: $0.won, lost: $0.lost, open: $0.open, wonWithin30Days: $0.wonWithin30Days,
                    wonWithin90Days: $0.wonWithin90Days, conversion: $0.conversion)
            })
    }
}

extension SchemaMapping {
    static func forecast(_ r: ForecastReport, scope s: ReportScope) -> Components.Schemas.ForecastReport {
        .init(
            scope: scope(s),
            stages: r.stages.map {
                .init(
                    stage: $0.stage.rawValue, name: localized($0.name), probability: $0.probability,
                    source: .init(rawValue: $0.source) ?? .none, entered: $0.entered, won: $0.won,
                    medianDaysToWon: $0.medianMillisToWon.map { Double($0) / 86_400_000 }, open: $0.open)
            },
            rows: r.rows.map { .init(month: $0.month, deals: $0.deals, amount: money($0.amount), expected: money($0.expected)) })
    }

    static func lineage(_ r: LineageReport) -> Components.Schemas.LineageReport {
        .init(
            scope: scope(r.scope), started: r.started, wonAtEnd: r.wonAtEnd, endToEnd: r.endToEnd,
            steps: r.steps.map {
                .init(
                    pipeline: $0.pipeline.rawValue, name: localized($0.name), reached: $0.reached, won: $0.won, stepConversion: $0.stepConversion,
                    shareOfStarted: $0.shareOfStarted)
            })
    }
}

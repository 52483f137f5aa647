import AutofunnelCore
import SQLKit

/// The report queries. Every figure comes from the append-only stage log (and the deals it belongs to), in SQL that
/// runs the same on SQLite and PostgreSQL: stage order is passed in as a CASE expression, times are integers.
extension StoreSession {
    /// The deals in scope: created in the period in the pipeline, narrowed by the filters, not deleted.
    func cohort(_ scope: ReportScope) -> SQLQueryString {
        let q: SQLQueryString = """
            SELECT id, status, amount, currency, created_at, closed_at, entered_mask FROM deals
            WHERE pipeline_key = \(bind: scope.pipeline.rawValue) AND created_at >= \(bind: scope.from.millis)
            AND created_at < \(bind: scope.to.millis) AND deleted_at IS NULL
            """
        return q + filters(scope)
    }

    /// ` AND …` for the scope's responsible, source, segment and currency, on the deals table (or its alias, `c.`).
    func filters(_ scope: ReportScope, _ prefix: String = "") -> SQLQueryString {
        var q: SQLQueryString = ""
        if let r = scope.responsible { q += " AND \(unsafeRaw: prefix)responsible_id = \(bind: r.rawValue)" }
        if let s = scope.source { q += " AND \(unsafeRaw: prefix)source = \(bind: s)" }
        if let s = scope.segment {
            q += " AND \(unsafeRaw: prefix)contact_id IN (SELECT sg.id FROM contacts sg WHERE sg.segment = \(bind: s))"
        }
        if let c = scope.currency { q += " AND \(unsafeRaw: prefix)currency = \(bind: c.code)" }
        return q
    }

    /// The log rows of the deals in scope (alias `l`): the pipeline and period are an index range on the log itself;
    /// `deals` is consulted only for filters, and for the few deleted deals, which reports leave out.
    func logScope(_ scope: ReportScope) -> SQLQueryString {
        let q: SQLQueryString = """
            l.pipeline_key = \(bind: scope.pipeline.rawValue) AND l.deal_created_at >= \(bind: scope.from.millis) \
            AND l.deal_created_at < \(bind: scope.to.millis)
            """
        return q + deletedAndFiltered(scope)
    }

    /// ` AND …` leaving out the log rows of deleted deals and, when the scope has filters, of deals they exclude.
    func deletedAndFiltered(_ scope: ReportScope) -> SQLQueryString {
        var q: SQLQueryString = " AND l.deal_id NOT IN (SELECT x.id FROM deals x WHERE x.deleted_at IS NOT NULL)"
        if scope.isFiltered { q += " AND l.deal_id IN (SELECT c.id FROM (\(cohort(scope))) c)" }
        return q
    }

    /// The deals in scope grouped by the set of stages they entered (from their masks) and their status now.
    func enteredStageGroups(_ scope: ReportScope) async throws -> [(stages: [StageKey], status: DealStatus?, count: Int)] {
        let bits = try await stageBits(scope.pipeline)
        let masks: SQLQueryString =
            "SELECT c.entered_mask AS mask, c.status AS status, COUNT(*) AS n FROM (\(cohort(scope))) c GROUP BY c.entered_mask, c.status"
        return try await db.raw(masks).all().map { row in
            let mask = try row.decode(column: "mask", as: Int64.self)
            return (
                bits.filter { mask & $0.value != 0 }.map(\.key), DealStatus(rawValue: try row.decode(column: "status", as: String.self)),
                try row.decode(column: "n", as: Int.self)
            )
        }
    }

    /// `CASE column WHEN 'stage' THEN index … END`: open stages in order, the won stage after them, lost stages NULL.
    static func funnelIndex(_ column: String, _ pipeline: Pipeline) -> SQLQueryString {
        var q: SQLQueryString = "CASE \(unsafeRaw: column)"
        for (i, stage) in (pipeline.openStages + [pipeline.wonStage]).enumerated() {
            q += " WHEN \(literal: stage.key.rawValue) THEN \(literal: i)"
        }
        return q + " END"
    }

    /// The counts behind the conversion report, in two passes: the deals in scope grouped by the stages they entered
    /// (a mask per deal, kept from the log) and status, and the scope's moves grouped by from and to stage.
    public func funnelCounts(_ scope: ReportScope, pipeline: Pipeline) async throws -> FunnelCounts {
        let funnel = pipeline.openStages + [pipeline.wonStage]
        let position = Dictionary(uniqueKeysWithValues: funnel.enumerated().map { ($1.key, $0) })
        var furthest: [Int: Int] = [:]
        var entered: [StageKey: Int] = [:]
        var status: [DealStatus: Int] = [:]
        for group in try await enteredStageGroups(scope) {
            if let s = group.status { status[s, default: 0] += group.count }
            for stage in group.stages { entered[stage, default: 0] += group.count }
            // Deals that never entered a stage of the funnel (created straight into a lost stage) are not counted.
            guard let top = group.stages.compactMap({ position[$0] }).max() else { continue }
            furthest[top, default: 0] += group.count
        }
        var out: [StageKey: Int] = [:]
        var backward: [StageKey: Int] = [:]
        // `+` keeps SQLite from ranging over the creation-time index (and then sorting every move): the moves index
        // groups by from and to stage as it is read. PostgreSQL reads `+x` as `x`.
        let moves: SQLQueryString = """
            SELECT l.from_stage AS from_stage, l.to_stage AS to_stage, COUNT(*) AS n FROM stage_log l
            WHERE l.pipeline_key = \(bind: scope.pipeline.rawValue) AND l.from_stage IS NOT NULL
            AND +l.deal_created_at >= \(bind: scope.from.millis) AND +l.deal_created_at < \(bind: scope.to.millis)\(deletedAndFiltered(scope))
            GROUP BY l.from_stage, l.to_stage
            """
        for row in try await db.raw(moves).all() {
            let from = StageKey(try row.decode(column: "from_stage", as: String.self))
            let to = StageKey(try row.decode(column: "to_stage", as: String.self))
            let n = try row.decode(column: "n", as: Int.self)
            out[from, default: 0] += n
            if let f = position[from], let t = position[to], t < f { backward[from, default: 0] += n }
        }
        return FunnelCounts(byFurthestIndex: furthest, entered: entered, movesOut: out, backwardOut: backward, byStatus: status)
    }

    /// Deals in scope that are lost now, per loss reason, with amounts and the stage they were lost from.
    public func lossReport(_ scope: ReportScope, pipeline: Pipeline, commentsPerReason: Int = 5) async throws -> LossReport {
        let cohort = cohort(scope)
        let closes: SQLQueryString = """
            SELECT l.to_stage AS reason, l.from_stage AS from_stage, COUNT(*) AS n FROM deals d
            JOIN stage_log l ON l.deal_id = d.id AND l.to_stage = d.stage_key AND l.at = d.closed_at
            WHERE d.id IN (SELECT c.id FROM (\(cohort)) c) AND d.status = 'lost'
            GROUP BY l.to_stage, l.from_stage
            """
        var fromStage: [StageKey: [StageKey: Int]] = [:]
        for row in try await db.raw(closes).all() {
            let reason = StageKey(try row.decode(column: "reason", as: String.self))
            let from = StageKey(try row.decode(column: "from_stage", as: String?.self) ?? "")
            fromStage[reason, default: [:]][from] = try row.decode(column: "n", as: Int.self)
        }
        let sums: SQLQueryString = """
            SELECT d.stage_key AS reason, d.currency AS currency, COUNT(*) AS n,
              CAST(SUM(d.amount / \(literal: MoneyTotal.splitDivisor)) AS BIGINT) AS high,
              CAST(SUM(d.amount % \(literal: MoneyTotal.splitDivisor)) AS BIGINT) AS low FROM deals d
            JOIN (\(cohort)) c ON c.id = d.id WHERE d.status = 'lost' GROUP BY d.stage_key, d.currency
            """
        var counts: [StageKey: Int] = [:]
        var amounts: [StageKey: [MoneyTotal]] = [:]
        for row in try await db.raw(sums).all() {
            let reason = StageKey(try row.decode(column: "reason", as: String.self))
            counts[reason, default: 0] += try row.decode(column: "n", as: Int.self)
            if let code = try row.decode(column: "currency", as: String?.self), let currency = CurrencyCode(code),
                let high = try row.decode(column: "high", as: Int64?.self), let low = try row.decode(column: "low", as: Int64?.self)
            {
                amounts[reason, default: []].append(MoneyTotal(high: high, low: low, currency: currency))
            }
        }
        // The latest comments of every reason in one query, not one query per reason.
        let commentQuery: SQLQueryString = """
            SELECT r.reason AS reason, r.comment AS comment FROM (
              SELECT d.stage_key AS reason, d.loss_comment AS comment,
                ROW_NUMBER() OVER (PARTITION BY d.stage_key ORDER BY d.closed_at DESC, d.id DESC) AS rn
              FROM deals d JOIN (\(cohort)) c ON c.id = d.id WHERE d.status = 'lost' AND d.loss_comment IS NOT NULL
            ) r WHERE r.rn <= \(literal: commentsPerReason) ORDER BY r.reason, r.rn
            """
        var comments: [StageKey: [String]] = [:]
        for row in try await db.raw(commentQuery).all() {
            comments[StageKey(try row.decode(column: "reason", as: String.self)), default: []].append(
                try row.decode(column: "comment", as: String.self))
        }
        let reasons = pipeline.lostStages.map { stage in
            LossReport.Reason(
                reason: stage.key, name: stage.name, count: counts[stage.key] ?? 0,
                amounts: (amounts[stage.key] ?? []).sorted { $0.currency.code < $1.currency.code }, fromStage: fromStage[stage.key] ?? [:],
                comments: comments[stage.key] ?? [])
        }
        return LossReport(scope: scope, reasons: reasons)
    }

    /// Won deals in scope with when they were won and their amount.
    public func wonDeals(_ scope: ReportScope) async throws -> [(Timestamp, Money?)] {
        let query: SQLQueryString =
            "SELECT c.id AS id, d.closed_at AS closed_at, d.amount AS amount, d.currency AS currency FROM (\(cohort(scope))) c JOIN deals d ON d.id = c.id WHERE d.status = 'won'"
        return try await db.raw(query).all().map { row in
            let at = Timestamp(millis: try row.decode(column: "closed_at", as: Int64?.self) ?? 0)
            let amount = try row.decode(column: "amount", as: Int64?.self)
            let currency = try row.decode(column: "currency", as: String?.self).flatMap(CurrencyCode.init)
            return (at, zip(amount, currency).map { Money(scaledUnits: $0, currency: $1) })
        }
    }
}

extension StoreSession {
    /// The benchmark's baseline: the shortest hand-written SQL for "deals that reached each stage" of one pipeline —
    /// one pass over its stage log, no period or filters. Returns the counts by furthest stage index.
    public func baselineReachCounts(pipeline: Pipeline) async throws -> [Int: Int] {
        let query: SQLQueryString = """
            SELECT idx, COUNT(*) AS n FROM (
              SELECT deal_id, MAX(\(Self.funnelIndex("to_stage", pipeline))) AS idx FROM stage_log
              WHERE pipeline_key = \(bind: pipeline.key.rawValue) GROUP BY deal_id
            ) r WHERE idx IS NOT NULL GROUP BY idx
            """
        var out: [Int: Int] = [:]
        for row in try await db.raw(query).all() { out[try row.decode(column: "idx", as: Int.self)] = try row.decode(column: "n", as: Int.self) }
        return out
    }
}

extension StoreSession {
    /// Deals in scope per creation day (UTC) and status, with how many were won within 30 and 90 days.
    public func cohortDays(_ scope: ReportScope) async throws -> [CohortReport.DayCount] {
        let day: Int64 = 86_400_000
        let query: SQLQueryString = """
            SELECT c.created_at / \(literal: day) AS day, c.status AS status, COUNT(*) AS n,
              SUM(CASE WHEN c.status = 'won' AND c.closed_at - c.created_at <= \(literal: 30 * day) THEN 1 ELSE 0 END) AS won30,
              SUM(CASE WHEN c.status = 'won' AND c.closed_at - c.created_at <= \(literal: 90 * day) THEN 1 ELSE 0 END) AS won90
            FROM (\(cohort(scope))) c GROUP BY c.created_at / \(literal: day), c.status
            """
        return try await db.raw(query).all().compactMap { row in
            guard let status = DealStatus(rawValue: try row.decode(column: "status", as: String.self)) else { return nil }
            return CohortReport.DayCount(
                day: try row.decode(column: "day", as: Int64.self), status: status, count: try row.decode(column: "n", as: Int.self),
                wonWithin30Days: try row.decode(column: "won30", as: Int?.self) ?? 0,
                wonWithin90Days: try row.decode(column: "won90", as: Int?.self) ?? 0)
        }
    }
}

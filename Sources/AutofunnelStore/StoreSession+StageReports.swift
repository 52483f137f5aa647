import AutofunnelCore
import SQLKit

/// Time in stage and per-manager figures, from the stage log with window functions (SQLite ≥ 3.25 and PostgreSQL).
extension StoreSession {
    /// Time in stage per open stage (nearest-rank p50/p90 of finished visits), open deals over the limit, key-stage
    /// ages, and stale deals (no change for `staleAfterDays`).
    public func stageTimeReport(_ scope: ReportScope, pipeline: Pipeline, now: Timestamp, staleAfterDays: Int = 14) async throws -> StageTimeReport {
        let cohort = cohort(scope)
        let percentiles: SQLQueryString = """
            SELECT r.stage AS stage, COUNT(*) AS visits,
              MIN(CASE WHEN r.rn * 2 >= r.cnt THEN r.d END) AS p50, MIN(CASE WHEN r.rn * 10 >= r.cnt * 9 THEN r.d END) AS p90
            FROM (
              SELECT v.stage AS stage, v.d AS d, ROW_NUMBER() OVER (PARTITION BY v.stage ORDER BY v.d) AS rn,
                COUNT(*) OVER (PARTITION BY v.stage) AS cnt
              FROM (
                SELECT l.to_stage AS stage, LEAD(l.at) OVER (PARTITION BY l.deal_id ORDER BY l.seq) - l.at AS d
                FROM stage_log l WHERE \(logScope(scope))
              ) v WHERE v.d IS NOT NULL
            ) r GROUP BY r.stage
            """
        var visits: [StageKey: (Int, Int64?, Int64?)] = [:]
        for row in try await db.raw(percentiles).all() {
            visits[StageKey(try row.decode(column: "stage", as: String.self))] = (
                try row.decode(column: "visits", as: Int.self), try row.decode(column: "p50", as: Int64?.self),
                try row.decode(column: "p90", as: Int64?.self)
            )
        }
        var openNow: [StageKey: (count: Int, oldest: Int64?)] = [:]
        let openQuery: SQLQueryString = """
            SELECT d.stage_key AS stage, COUNT(*) AS n, MIN(d.stage_entered_at) AS oldest FROM deals d JOIN (\(cohort)) c ON c.id = d.id
            WHERE d.status = 'open' GROUP BY d.stage_key
            """
        for row in try await db.raw(openQuery).all() {
            openNow[StageKey(try row.decode(column: "stage", as: String.self))] = (
                try row.decode(column: "n", as: Int.self), try row.decode(column: "oldest", as: Int64?.self)
            )
        }
        var stages: [StageTimeReport.Stage] = []
        for stage in pipeline.openStages {
            var over = 0
            if let limit = stage.maxTimeInStage {
                let overQuery: SQLQueryString = """
                    SELECT COUNT(*) AS n FROM deals d JOIN (\(cohort)) c ON c.id = d.id
                    WHERE d.status = 'open' AND d.stage_key = \(bind: stage.key.rawValue) AND d.stage_entered_at < \(bind: now.millis - limit.millis)
                    """
                over = try await db.raw(overQuery).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            let v = visits[stage.key]
            let open = openNow[stage.key]
            stages.append(
                .init(
                    stage: stage.key, name: stage.name, visits: v?.0 ?? 0, p50Millis: v?.1, p90Millis: v?.2, openNow: open?.count ?? 0,
                    overLimit: over,
                    isKeyStage: stage.isKeyStage, oldestMillis: open?.oldest.map { now.millis - $0 }))
        }
        let staleQuery: SQLQueryString = """
            SELECT d.id AS id FROM deals d JOIN (\(cohort)) c ON c.id = d.id
            WHERE d.status = 'open' AND d.updated_at < \(bind: now.millis - Int64(staleAfterDays) * 86_400_000) ORDER BY d.updated_at, d.id LIMIT 1000
            """
        let stale = try await db.raw(staleQuery).all().map { DealID(try $0.decode(column: "id", as: Int64.self)) }
        return StageTimeReport(scope: scope, stages: stages, staleDeals: stale, staleAfterDays: staleAfterDays)
    }

    /// Per responsible at the time of the step: deals that entered each open stage under them, and how many got further.
    public func managerReport(_ scope: ReportScope, pipeline: Pipeline) async throws -> ManagerReport {
        let index = Self.funnelIndex("l.to_stage", pipeline)
        // One pass with window functions: joining two derived tables made SQLite loop over both (quadratic).
        let query: SQLQueryString = """
            SELECT e.responsible_id AS responsible, e.stage AS stage, COUNT(*) AS entered,
              SUM(CASE WHEN e.furthest > e.idx THEN 1 ELSE 0 END) AS advanced
            FROM (
              SELECT l.responsible_id AS responsible_id, l.to_stage AS stage, \(index) AS idx,
                ROW_NUMBER() OVER (PARTITION BY l.deal_id, l.to_stage ORDER BY l.seq) AS rn,
                MAX(\(index)) OVER (PARTITION BY l.deal_id) AS furthest
              FROM stage_log l WHERE \(logScope(scope))
            ) e
            WHERE e.rn = 1 AND e.idx IS NOT NULL AND e.idx < \(literal: pipeline.openStages.count)
            GROUP BY e.responsible_id, e.stage
            """
        let rows = try await db.raw(query).all().map { row in
            ManagerReport.Row(
                responsible: try row.decode(column: "responsible", as: Int64?.self).map(UserID.init(rawValue:)),
                stage: StageKey(try row.decode(column: "stage", as: String.self)), entered: try row.decode(column: "entered", as: Int.self),
                advanced: try row.decode(column: "advanced", as: Int?.self) ?? 0)
        }
        return ManagerReport(scope: scope, rows: rows, pipeline: pipeline)
    }
}

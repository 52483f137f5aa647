import AutofunnelCore
import SQLKit

extension StoreSession {
    /// What the forecast needs: the pipeline's open deals now (narrowed by the scope's filters), and per stage, from
    /// the log of the deals in scope, how many entered it, how many of those were won and how long that took.
    public func forecastInputs(_ scope: ReportScope, pipeline: Pipeline) async throws -> (
        open: [ForecastReport.OpenDeal], history: [StageKey: ForecastReport.History]
    ) {
        let openQuery: SQLQueryString = """
            SELECT stage_key, amount, currency, stage_entered_at FROM deals
            WHERE pipeline_key = \(bind: scope.pipeline.rawValue) AND status = 'open' AND deleted_at IS NULL\(filters(scope))
            """
        let open = try await db.raw(openQuery).all().map { row -> ForecastReport.OpenDeal in
            let units = try row.decode(column: "amount", as: Int64?.self)
            let code = try row.decode(column: "currency", as: String?.self)
            let money = units.flatMap { u in code.flatMap(CurrencyCode.init).map { Money(scaledUnits: u, currency: $0) } }
            return ForecastReport.OpenDeal(
                stage: StageKey(try row.decode(column: "stage_key", as: String.self)), amount: money,
                stageEnteredAt: Timestamp(millis: try row.decode(column: "stage_entered_at", as: Int64.self)))
        }
        var history: [StageKey: ForecastReport.History] = [:]
        for group in try await enteredStageGroups(scope) {
            for stage in group.stages {
                history[stage, default: ForecastReport.History(entered: 0, won: 0, millisToWon: [])].entered += group.count
            }
        }
        // Each won deal's first entry into each stage it passed, and when it was first won: the won deals first (a
        // small share of the log), then their own rows.
        let won = pipeline.wonStage.key.rawValue
        let wonQuery: SQLQueryString = """
            SELECT e.to_stage AS stage, MIN(e.at) AS entered_at, MIN(w.won_at) AS won_at FROM (
              SELECT l.deal_id AS deal_id, MIN(l.at) AS won_at FROM stage_log l
              WHERE \(logScope(scope)) AND l.to_stage = \(bind: won) GROUP BY l.deal_id
            ) w JOIN stage_log e ON e.deal_id = w.deal_id AND e.pipeline_key = \(bind: scope.pipeline.rawValue) AND e.to_stage <> \(bind: won)
            GROUP BY e.to_stage, e.deal_id
            """
        for row in try await db.raw(wonQuery).all() {
            let stage = StageKey(try row.decode(column: "stage", as: String.self))
            var h = history[stage] ?? ForecastReport.History(entered: 0, won: 0, millisToWon: [])
            h.won += 1
            h.millisToWon.append(max(0, try row.decode(column: "won_at", as: Int64.self) - row.decode(column: "entered_at", as: Int64.self)))
            history[stage] = h
        }
        return (open, history)
    }
}

extension StoreSession {
    /// Per pipeline of `path`: lineages of the leads that started in the scope's pipeline (created in the period,
    /// narrowed by its filters) that have a deal there, and a won one.
    public func lineageCounts(_ scope: ReportScope, path: [PipelineKey]) async throws -> [PipelineKey: LineageReport.Count] {
        guard !path.isEmpty else { return [:] }
        let started: SQLQueryString = """
            SELECT c.lineage_id FROM deals c WHERE c.pipeline_key = \(bind: scope.pipeline.rawValue) AND c.created_at >= \(bind: scope.from.millis)
            AND c.created_at < \(bind: scope.to.millis) AND c.deleted_at IS NULL\(filters(scope, "c."))
            """
        var pipelines: SQLQueryString = ""
        for (i, key) in path.enumerated() { pipelines += i == 0 ? "\(bind: key.rawValue)" : ", \(bind: key.rawValue)" }
        let query: SQLQueryString = """
            SELECT d.pipeline_key AS p, COUNT(DISTINCT d.lineage_id) AS reached,
              COUNT(DISTINCT CASE WHEN d.status = 'won' THEN d.lineage_id END) AS won
            FROM deals d WHERE d.deleted_at IS NULL AND d.pipeline_key IN (\(pipelines)) AND d.lineage_id IN (\(started))
            GROUP BY d.pipeline_key
            """
        var out: [PipelineKey: LineageReport.Count] = [:]
        for row in try await db.raw(query).all() {
            out[PipelineKey(try row.decode(column: "p", as: String.self))] = LineageReport.Count(
                reached: try row.decode(column: "reached", as: Int.self), won: try row.decode(column: "won", as: Int.self))
        }
        return out
    }
}

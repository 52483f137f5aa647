/// Conversion through a pipeline (guide 000: a healthy funnel narrows at every step).
public struct ConversionReport: Hashable, Sendable {
    /// One stage of the funnel, the won stage last.
    public struct Step: Hashable, Sendable {
        public var stage: StageKey
        public var name: Localized
        /// Deals that ever reached the stage; re-entries count once and skipped stages count as passed.
        public var reached: Int
        /// `reached` as a share of all deals in scope.
        public var shareOfAll: Double
        /// reached(this) / reached(previous); nil for the first stage or when the previous had none.
        public var stepConversion: Double?
        /// Deals that actually entered the stage (not by skipping past it).
        public var entered: Int
        /// More deals entered this stage than the one before: the funnel widens again, a sign it is built wrong.
        public var widens: Bool
        /// Share of moves out of this stage that went backward; nil when nothing left it.
        public var backwardRate: Double?
    }

    public var scope: ReportScope
    public var total: Int
    public var open: Int
    public var won: Int
    public var lost: Int
    public var steps: [Step]

    /// Builds the report from the counts of the stage log.
    public init(pipeline: Pipeline, scope: ReportScope, counts: FunnelCounts) {
        self.scope = scope
        let funnel = pipeline.openStages + [pipeline.wonStage]
        total = counts.byFurthestIndex.values.reduce(0, +)
        open = counts.byStatus[.open] ?? 0
        won = counts.byStatus[.won] ?? 0
        lost = counts.byStatus[.lost] ?? 0
        var steps: [Step] = []
        for (i, stage) in funnel.enumerated() {
            let reached = counts.byFurthestIndex.filter { $0.key >= i }.values.reduce(0, +)
            let entered = counts.entered[stage.key] ?? 0
            let previous = steps.last
            let out = counts.movesOut[stage.key] ?? 0
            steps.append(
                Step(
                    stage: stage.key, name: stage.name, reached: reached, shareOfAll: total == 0 ? 0 : Double(reached) / Double(total),
                    stepConversion: previous.flatMap { $0.reached == 0 ? nil : Double(reached) / Double($0.reached) }, entered: entered,
                    widens: previous.map { entered > $0.entered } ?? false,
                    backwardRate: out == 0 ? nil : Double(counts.backwardOut[stage.key] ?? 0) / Double(out)))
        }
        self.steps = steps
    }
}

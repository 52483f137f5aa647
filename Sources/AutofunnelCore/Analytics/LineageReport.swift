/// Journeys across pipelines joined through the lineage id (qualification → sales → production): of the leads that
/// started in the first pipeline in the period, how many reached each next pipeline, and how many were won in the last.
public struct LineageReport: Hashable, Sendable {
    /// One pipeline of the path.
    public struct Step: Hashable, Sendable {
        public var pipeline: PipelineKey
        public var name: Localized
        /// Lineages with a deal in this pipeline, and with a won one.
        public var reached: Int
        public var won: Int
        /// `reached` of the previous step's `reached` (nil for the first step, or when it reached none).
        public var stepConversion: Double?
        public var shareOfStarted: Double?
    }

    /// Lineages per pipeline, as the store counts them.
    public struct Count: Hashable, Sendable {
        public var reached: Int
        public var won: Int
        public init(reached: Int, won: Int) {
            self.reached = reached
            self.won = won
        }
    }

    public var scope: ReportScope
    public var steps: [Step]
    /// Leads that started in the first pipeline.
    public var started: Int
    /// Of those, won in the last pipeline, and that share.
    public var wonAtEnd: Int
    public var endToEnd: Double?

    public init(scope: ReportScope, path: [Pipeline], counts: [PipelineKey: Count]) {
        self.scope = scope
        var steps: [Step] = []
        let started = path.first.flatMap { counts[$0.key]?.reached } ?? 0
        for pipeline in path {
            let c = counts[pipeline.key] ?? Count(reached: 0, won: 0)
            let previous = steps.last?.reached
            steps.append(
                Step(
                    pipeline: pipeline.key, name: pipeline.name, reached: c.reached, won: c.won,
                    stepConversion: previous.flatMap { $0 == 0 ? nil : Double(c.reached) / Double($0) },
                    shareOfStarted: started == 0 ? nil : Double(c.reached) / Double(started)))
        }
        self.steps = steps
        self.started = started
        wonAtEnd = steps.last?.won ?? 0
        endToEnd = started == 0 ? nil : Double(wonAtEnd) / Double(started)
    }
}

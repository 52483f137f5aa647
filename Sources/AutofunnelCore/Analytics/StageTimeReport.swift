/// How long deals stay in each stage, which are past the stage's limit, and which are hoarded without activity
/// (guide 000, mistakes 2 and 14).
public struct StageTimeReport: Hashable, Sendable {
    /// One open stage.
    public struct Stage: Hashable, Sendable {
        public var stage: StageKey
        public var name: Localized
        /// Finished visits (the deal entered and later left the stage) that the percentiles are made of.
        public var visits: Int
        /// Nearest-rank percentiles of the time in stage, in milliseconds.
        public var p50Millis: Int64?
        public var p90Millis: Int64?
        /// Open deals in the stage now.
        public var openNow: Int
        /// Open deals in the stage for longer than its maximum time.
        public var overLimit: Int
        public var isKeyStage: Bool
        /// Age in the stage of the oldest open deal, in milliseconds.
        public var oldestMillis: Int64?

        public init(
            stage: StageKey, name: Localized, visits: Int, p50Millis: Int64?, p90Millis: Int64?, openNow: Int, overLimit: Int, isKeyStage: Bool,
            oldestMillis: Int64?
        ) {
            self.stage = stage
            self.name = name
            self.visits = visits
            self.p50Millis = p50Millis
            self.p90Millis = p90Millis
            self.openNow = openNow
            self.overLimit = overLimit
            self.isKeyStage = isKeyStage
            self.oldestMillis = oldestMillis
        }
    }

    public var scope: ReportScope
    public var stages: [Stage]
    /// Open deals with no change for `staleAfterDays` days.
    public var staleDeals: [DealID]
    public var staleAfterDays: Int

    public init(scope: ReportScope, stages: [Stage], staleDeals: [DealID], staleAfterDays: Int) {
        self.scope = scope
        self.stages = stages
        self.staleDeals = staleDeals
        self.staleAfterDays = staleAfterDays
    }
}

/// Who fails to sell the next stage: step conversion per responsible at the time of the step (from the log, not
/// today's owner).
public struct ManagerReport: Hashable, Sendable {
    /// One responsible at one stage.
    public struct Row: Hashable, Sendable {
        public var responsible: UserID?
        public var stage: StageKey
        /// Deals that entered the stage while this user was responsible.
        public var entered: Int
        /// Of those, deals that later got further in the funnel.
        public var advanced: Int
        public var conversion: Double? { entered == 0 ? nil : Double(advanced) / Double(entered) }

        public init(responsible: UserID?, stage: StageKey, entered: Int, advanced: Int) {
            self.responsible = responsible
            self.stage = stage
            self.entered = entered
            self.advanced = advanced
        }
    }

    public var scope: ReportScope
    /// Ordered by stage (funnel order), then responsible.
    public var rows: [Row]

    public init(scope: ReportScope, rows: [Row], pipeline: Pipeline) {
        self.scope = scope
        let order = Dictionary(uniqueKeysWithValues: pipeline.stages.enumerated().map { ($1.key, $0) })
        self.rows = rows.sorted {
            (order[$0.stage] ?? 0, $0.responsible?.rawValue ?? 0) < (order[$1.stage] ?? 0, $1.responsible?.rawValue ?? 0)
        }
    }
}

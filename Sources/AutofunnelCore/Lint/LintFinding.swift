/// One thing the funnel linter found: which rule, how bad, where, what and how to fix it.
public struct LintFinding: Hashable, Sendable {
    /// How bad a finding is: errors make `autofunnel lint` exit 2, warnings 1.
    public enum Severity: String, Hashable, Sendable, Comparable, CaseIterable {
        case error, warning

        public static func < (a: Self, b: Self) -> Bool { a == .error && b == .warning }
    }

    /// A stable id such as `stage-without-task`; guide 000's mistakes carry their number in `mistake`.
    public var rule: String
    /// The number of the guide 000 mistake this rule checks, if it is one of the fourteen.
    public var mistake: Int?
    public var severity: Severity
    /// Where: `pipeline`, `pipeline.stages.stage`, `pipeline.automations.rule` or `pipeline.fields.key`.
    public var location: String
    public var message: Localized
    public var fix: Localized

    public init(rule: String, mistake: Int? = nil, severity: Severity, location: String, message: Localized, fix: Localized) {
        self.rule = rule
        self.mistake = mistake
        self.severity = severity
        self.location = location
        self.message = message
        self.fix = fix
    }
}

/// What the stage log says about a pipeline, for the rules that look at data rather than the design.
public struct LintStats: Hashable, Sendable {
    /// Open deals past their stage's maximum time, by stage.
    public var hoarded: [StageKey: Int]
    /// Open deals with no change for 30 days.
    public var idle: Int
    /// Stages that more deals reached than the stage before them (skips counted as passed).
    public var widening: [StageKey]
    /// Share of moves that went backward, 0…1, and how many moves there were.
    public var backwardRate: Double
    public var moves: Int
    /// How many of the pipeline's latest deals (`deals` of them) have each deal custom field filled in.
    public var filled: [FieldKey: Int]
    public var deals: Int

    public init(
        hoarded: [StageKey: Int] = [:], idle: Int = 0, widening: [StageKey] = [], backwardRate: Double = 0, moves: Int = 0,
        filled: [FieldKey: Int] = [:], deals: Int = 0
    ) {
        self.hoarded = hoarded
        self.idle = idle
        self.widening = widening
        self.backwardRate = backwardRate
        self.moves = moves
        self.filled = filled
        self.deals = deals
    }
}

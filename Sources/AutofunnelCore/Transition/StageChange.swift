/// A change of a deal's stage that someone asks for.
public enum StageChange: Hashable, Sendable {
    /// Move to a stage of the same pipeline; into a won or lost stage it closes the deal.
    case move(to: StageKey, lossComment: String?)
    /// Reopen a closed deal into an open stage, with a reason.
    case reopen(reason: String, to: StageKey)
    /// Move out of a stage the pipeline's new definition removed, into the stage its `stageMapping` names.
    case remap(to: StageKey)
}

/// A transition the rules accepted, with the deal as it is after it.
public struct AcceptedTransition: Hashable, Sendable {
    /// How the deal moved; `remap` is out of a stage the definition removed, which has no place to be ahead of or behind.
    public enum Direction: String, Hashable, Sendable { case forward, backward, close, reopen, remap }
    public let from: StageKey
    public let to: StageKey
    public let direction: Direction
    /// The deal after the transition.
    public let deal: Deal
    /// The e-mail of the user the entered stage makes responsible, if it names one.
    public let responsibleOnEntry: String?
    /// What caused the transition, written to the stage log (`move`, `close`, `reopen: <reason>`, `definition change`).
    public let cause: String
}

/// A refused change or definition: every violation at once.
public struct Refusal: Error, Hashable, Sendable {
    public let violations: [Violation]
    public init(_ violations: [Violation]) { self.violations = violations }
}

/// One step of a pipeline.
public struct Stage: Hashable, Sendable {
    /// A process stage ("waiting for signature") or a conversion stage ("contract signed"). Guide 000: don't mix them.
    public enum Kind: String, Hashable, Sendable, Codable { case process, conversion }
    /// How a closing stage closes the deal.
    public enum Outcome: String, Hashable, Sendable, Codable { case won, lost }

    public var key: StageKey
    public var name: Localized
    public var kind: Kind
    /// A key stage: the customer has clearly committed.
    public var isKeyStage: Bool
    /// What the manager does here and how to sell the next stage.
    public var instructions: Localized?
    /// Fields that must be filled to move forward past this stage.
    public var requiredToLeave: [FieldReference]
    /// After this long in the stage the deal is lost as timed out (automation issue).
    public var maxTimeInStage: StageDuration?
    /// E-mail of the user who becomes responsible on entry.
    public var responsibleOnEntry: String?
    /// Win probability in percent.
    public var probability: Int?
    /// Set on closing stages only.
    public var outcome: Outcome?
    /// A lost stage whose loss needs a comment.
    public var lossCommentRequired: Bool

    public init(
        key: StageKey, name: Localized, kind: Kind, isKeyStage: Bool = false, instructions: Localized? = nil,
        requiredToLeave: [FieldReference] = [], maxTimeInStage: StageDuration? = nil, responsibleOnEntry: String? = nil,
        probability: Int? = nil, outcome: Outcome? = nil, lossCommentRequired: Bool = false
    ) {
        self.key = key
        self.name = name
        self.kind = kind
        self.isKeyStage = isKeyStage
        self.instructions = instructions
        self.requiredToLeave = requiredToLeave
        self.maxTimeInStage = maxTimeInStage
        self.responsibleOnEntry = responsibleOnEntry
        self.probability = probability
        self.outcome = outcome
        self.lossCommentRequired = lossCommentRequired
    }

    /// Whether entering this stage closes the deal.
    public var isClosing: Bool { outcome != nil }
}

/// A time limit written as `90m`, `48h` or `3d`.
public struct StageDuration: Hashable, Sendable {
    public enum Unit: Character, Sendable { case seconds = "s", minutes = "m", hours = "h", days = "d" }
    public let amount: Int
    public let unit: Unit

    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let amount = Int(text.dropLast()), amount > 0, amount <= 100_000,
            text.dropLast().allSatisfy(\.isASCIIDigit)
        else { return nil }
        self.amount = amount
        self.unit = unit
    }

    public var text: String { "\(amount)\(unit.rawValue)" }
    public var millis: Int64 {
        let unitMillis: Int64 =
            switch unit {
            case .seconds: 1_000
            case .minutes: 60_000
            case .hours: 3_600_000
            case .days: 86_400_000
            }
        return Int64(amount) * unitMillis
    }
}

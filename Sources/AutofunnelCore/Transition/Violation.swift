/// Why a change was refused; shown to the user and returned as problem+json. Data, not an exception string.
public struct Violation: Error, Hashable, Sendable {
    /// The rule that refused the change.
    public enum Rule: String, Hashable, Sendable, CaseIterable {
        case requiredField, policyForbids, lossCommentRequired, closedDeal, notClosed, unknownStage, sameStage
        case reasonRequired, notALostStage, invalidValue, unknownField, unknownReference, invalidDefinition, stageHasDeals
        case weakPassword, forbiddenField, forbidden, csrf, unauthenticated, duplicate
        /// An import file that cannot be read, a mapping that does not fit it, a column it leaves unmapped.
        case unreadableFile, invalidMapping, unmappedColumn
    }

    public let rule: Rule
    /// The field concerned (a field key, `amount`, `contact.phone`, or a path in a definition).
    public let field: String?
    /// The stage concerned, e.g. the stage whose required field is missing.
    public let stage: StageKey?
    public let message: Localized

    public init(rule: Rule, field: String? = nil, stage: StageKey? = nil, message: Localized) {
        self.rule = rule
        self.field = field
        self.stage = stage
        self.message = message
    }
}

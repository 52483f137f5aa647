/// Who or what asks for a change; pipeline policies differ per kind.
public enum ActorKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A person on the board or the deal card.
    case user
    /// An automation rule.
    case automation
    /// A call to the REST API.
    case api
    /// A data import.
    case `import`
}

/// The actor of a change: its kind and, when known, the user.
public struct Actor: Hashable, Sendable {
    public var kind: ActorKind
    public var userID: UserID?
    public init(kind: ActorKind, userID: UserID? = nil) {
        self.kind = kind
        self.userID = userID
    }
}

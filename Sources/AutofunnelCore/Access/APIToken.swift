/// An API token as listed: never the secret itself, which is shown once at creation and stored only as a hash.
public struct APIToken: Hashable, Sendable {
    public var id: Int64
    public var user: UserID
    public var name: String
    /// The first characters of the secret, so a user can tell their tokens apart.
    public var prefix: String
    public var scope: TokenScope
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: Int64, user: UserID, name: String, prefix: String, scope: TokenScope, createdAt: Timestamp, lastUsedAt: Timestamp? = nil,
        revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.user = user
        self.name = name
        self.prefix = prefix
        self.scope = scope
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

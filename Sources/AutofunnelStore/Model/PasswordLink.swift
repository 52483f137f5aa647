import AutofunnelCore

/// A one-time link to set a password, as stored: the secret itself is never stored, only its hash.
public struct PasswordLink: Sendable, Hashable {
    public var user: UserID
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// When the link was used; a used link never works again.
    public var usedAt: Timestamp?

    /// Whether the link can still set a password at `now`.
    public func open(at now: Timestamp) -> Bool { usedAt == nil && now.millis < expiresAt.millis }
}

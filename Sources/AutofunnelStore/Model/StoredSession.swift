import AutofunnelCore
import SQLKit

/// A signed-in browser session as stored (the id itself is never stored, only its hash).
public struct StoredSession: Sendable, Hashable {
    public var idHash: String
    public var user: UserID
    public var csrfToken: String
    public var createdAt: Timestamp
    public var lastSeenAt: Timestamp
}

import AutofunnelCore

/// Which lines of the audit log a page or a download shows: every condition set must hold.
public struct AuditFilter: Sendable, Hashable {
    /// Lines of this action only.
    public var action: AuditEntry.Action?
    /// Lines about this account only.
    public var subject: UserID?
    /// Lines written by this user only.
    public var actor: UserID?
    /// Lines at or after this time.
    public var from: Timestamp?
    /// Lines before this time.
    public var until: Timestamp?

    public init(action: AuditEntry.Action? = nil, subject: UserID? = nil, actor: UserID? = nil, from: Timestamp? = nil, until: Timestamp? = nil) {
        self.action = action
        self.subject = subject
        self.actor = actor
        self.from = from
        self.until = until
    }
}

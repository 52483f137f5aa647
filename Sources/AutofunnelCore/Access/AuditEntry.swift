/// One line of the append-only audit log: who did what to whose account, from where.
public struct AuditEntry: Hashable, Sendable {
    /// What happened.
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        case login = "login"
        case loginFailed = "login_failed"
        case loginThrottled = "login_throttled"
        case logout
        case setupCompleted = "setup_completed"
        case userCreated = "user_created"
        case userUpdated = "user_updated"
        case roleChanged = "role_changed"
        case userDisabled = "user_disabled"
        case userEnabled = "user_enabled"
        case passwordChanged = "password_changed"
        case grantsChanged = "grants_changed"
        case tokenCreated = "token_created"
        case tokenRevoked = "token_revoked"
        case calendarFeedCreated = "calendar_feed_created"
        case calendarFeedRevoked = "calendar_feed_revoked"
        case passwordLinkIssued = "password_link_issued"
        /// Two contacts or two companies merged into one (the detail names both).
        case recordsMerged = "records_merged"
    }

    public var seq: Int64
    public var at: Timestamp
    public var action: Action
    /// The user who acted (nil for anonymous attempts and the command line).
    public var actor: UserID?
    /// The account acted upon.
    public var subject: UserID?
    /// The e-mail given (login attempts) or of the subject.
    public var email: String?
    public var ip: String?
    /// Free text: the old and new role, the grants, the token name.
    public var detail: String?

    public init(
        seq: Int64 = 0, at: Timestamp, action: Action, actor: UserID? = nil, subject: UserID? = nil, email: String? = nil, ip: String? = nil,
        detail: String? = nil
    ) {
        self.seq = seq
        self.at = at
        self.action = action
        self.actor = actor
        self.subject = subject
        self.email = email
        self.ip = ip
        self.detail = detail
    }
}

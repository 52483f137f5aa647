import AutofunnelCore

/// A user's choice of notices that also come by e-mail, and where their hourly digest stands.
public struct NoticeMail: Sendable, Hashable {
    public var user: UserID
    public var kinds: Set<Notice.Kind>
    public var lastSentAt: Timestamp?
    public var lastNoticeID: Int64

    public init(user: UserID, kinds: Set<Notice.Kind>, lastSentAt: Timestamp? = nil, lastNoticeID: Int64 = 0) {
        self.user = user
        self.kinds = kinds
        self.lastSentAt = lastSentAt
        self.lastNoticeID = lastNoticeID
    }
}

import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// Gives the caller a new secret calendar address (the old one, if any, stops working) and returns its secret,
    /// shown once: only its hash is kept.
    public func createCalendarFeed(by caller: Caller) async throws -> String {
        let secret = Secrets.base64URL(bytes: 24)
        let now = clock.now()
        let user = caller.principal.user
        try await store.write { s in
            try await s.replaceCalendarFeed(user: user.id, secretHash: Secrets.hash(secret), at: now)
            try await s.appendAudit(
                AuditEntry(at: now, action: .calendarFeedCreated, actor: user.id, subject: user.id, email: user.email, ip: caller.ip))
        }
        return secret
    }

    /// Ends the caller's calendar address.
    public func revokeCalendarFeed(by caller: Caller) async throws {
        let now = clock.now()
        let user = caller.principal.user
        try await store.write { s in
            guard try await s.calendarFeedCreated(user: user.id) != nil else { return }
            try await s.deleteCalendarFeed(user: user.id)
            try await s.appendAudit(
                AuditEntry(at: now, action: .calendarFeedRevoked, actor: user.id, subject: user.id, email: user.email, ip: caller.ip))
        }
    }

    /// The reader behind a calendar address's secret (read-only), or nil when it is unknown or the user is disabled.
    public func calendarPrincipal(secret: String) async throws -> Principal? {
        guard (1...200).contains(secret.utf8.count) else { return nil }
        guard let user = try await store.read({ s in try await s.calendarFeedUser(secretHash: Secrets.hash(secret)) }) else { return nil }
        return try await principal(user, scope: .read, credential: .token)
    }

    /// How many unread notices a user has: the number on the navigation's bell.
    public func unreadNotices(_ user: UserID) async throws -> Int {
        try await store.read { s in try await s.unreadNoticeCount(user: user) }
    }
}

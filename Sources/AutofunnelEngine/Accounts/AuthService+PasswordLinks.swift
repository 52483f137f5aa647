import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// A user just created without a password, with the one-time link that lets them set one.
    public struct Invited: Sendable {
        public let user: User
        /// The link's secret: shown once to the admin, stored only hashed.
        public let secret: String
    }

    /// Creates a user without a password and issues their one-time set-password link (admins).
    public func invite(_ new: NewUser, by caller: Caller?) async throws -> Invited {
        var new = new
        new.password = nil
        let user = try await createUser(new, by: caller)
        return Invited(user: user, secret: try await issuePasswordLink(user.id, reset: false, by: caller))
    }

    /// Issues a one-time set-password link for a user (192 random bits; the store keeps its SHA-256) valid for
    /// `config.passwordLinkLifetime`; earlier unused links of the user stop working. A reset also removes the current
    /// password and ends every session, so the old password stops working at once. Audited.
    public func issuePasswordLink(_ id: UserID, reset: Bool, by caller: Caller?) async throws -> String {
        let secret = Secrets.base64URL(bytes: 24)
        let now = clock.now()
        let lifetime = config.passwordLinkLifetime
        try await store.write { s in
            let user = try await s.user(id)
            if reset {
                try await s.clearPasswordHash(id, at: now)
                try await s.deleteSessions(user: id)
            }
            try await s.insertPasswordLink(
                hash: Secrets.hash(secret), user: id, by: caller?.principal.user.id, at: now, expiresAt: now.adding(millis: lifetime))
            try await s.appendAudit(
                AuditEntry(
                    at: now, action: .passwordLinkIssued, actor: caller?.principal.user.id, subject: id, email: user.email, ip: caller?.ip,
                    detail: reset ? "password reset" : "new user"))
        }
        return secret
    }

    /// The user a set-password link is for, while it is unused, unexpired and the user active; nil otherwise.
    public func passwordLinkUser(secret: String) async throws -> User? {
        let now = clock.now()
        return try await store.read { s in
            guard let link = try await s.passwordLink(hash: Secrets.hash(secret)), link.open(at: now) else { return nil }
            let user = try await s.user(link.user)
            return user.active ? user : nil
        }
    }

    /// Sets the password with a one-time link, uses the link up and signs the user in. A used, expired or unknown link,
    /// or a disabled user, is a 404; a weak password is refused and leaves the link open.
    public func completePasswordLink(secret: String, password: String, ip: String, userAgent: String?) async throws -> SignedIn {
        guard let user = try await passwordLinkUser(secret: secret) else { throw AppError.notFound("This link is used or expired") }
        let problems = hasher.policy.problems(password, email: user.email)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let hash = try await hasher.hash(password)
        let now = clock.now()
        return try await store.write { s in
            guard let id = try await s.consumePasswordLink(hash: Secrets.hash(secret), at: now), id == user.id else {
                throw AppError.notFound("This link is used or expired")
            }
            let current = try await s.user(id)
            guard current.active else { throw AppError.notFound("This link is used or expired") }
            try await s.setPasswordHash(id, hash, at: now)
            try await s.deleteSessions(user: id)
            try await s.appendAudit(
                AuditEntry(at: now, action: .passwordChanged, actor: id, subject: id, email: current.email, ip: ip, detail: "one-time link"))
            try await s.appendAudit(AuditEntry(at: now, action: .login, actor: id, subject: id, email: current.email, ip: ip))
            return try await openSession(s, user: current, ip: ip, userAgent: userAgent, replacing: nil, now: now)
        }
    }
}

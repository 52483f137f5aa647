import AutofunnelCore
import AutofunnelStore

/// Sign-in, sessions and the principals behind credentials. Every account change it makes writes its audit line in
/// the same transaction.
public struct AuthService: Sendable {
    let store: Store
    let clock: AppClock
    public let hasher: PasswordHasher
    public let config: AuthConfig
    /// The installation's time zone, for users who chose none.
    public let timeZone: TimeZoneName

    public init(
        store: Store, clock: AppClock, hasher: PasswordHasher = PasswordHasher(), config: AuthConfig = AuthConfig(), timeZone: TimeZoneName = .moscow
    ) {
        self.timeZone = timeZone
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.config = config
    }

    /// A new session: the cookie value (shown once, stored hashed), its CSRF token and the user.
    public struct SignedIn: Sendable {
        public let sessionID: String
        public let csrfToken: String
        public let user: User
    }

    /// Checks a password and opens a new session. The session the browser came with, if any, is ended: the id always
    /// changes at sign-in. Refused attempts are counted per account and per address and answered 429 once too many.
    public func signIn(email rawEmail: String, password: String, ip: String, userAgent: String?, replacing old: String?) async throws -> SignedIn {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let now = clock.now()
        try await reserveAttempt(email: email, ip: ip, now: now)
        let (user, hash): (User?, String?) = try await store.read { s in
            guard let user = try await s.user(email: email) else { return (nil, nil) }
            return (user, try await s.passwordHash(user.id))
        }
        let matches = try await hasher.verify(password, hash: hash)
        guard let user, matches, user.active else {
            let detail = user == nil ? "no such user" : (matches ? "user disabled" : "wrong password")
            try await store.write { s in
                try await s.appendAudit(AuditEntry(at: now, action: .loginFailed, subject: user?.id, email: email, ip: ip, detail: detail))
            }
            throw AppError.unauthenticated
        }
        let (idle, absolute, window) = (config.idleTimeout, config.absoluteTimeout, config.failureWindow)
        let session = try await store.write { s in
            // Sign-in is rare: a good moment to forget sessions and attempts nothing reads any more.
            try await s.deleteExpiredSessions(idleBefore: now.adding(millis: -idle), createdBefore: now.adding(millis: -absolute))
            try await s.deleteLoginAttempts(before: now.adding(millis: -window))
            try await s.recordLoginAttempt(email: email, ip: ip, succeeded: true, at: now)
            try await s.appendAudit(AuditEntry(at: now, action: .login, actor: user.id, subject: user.id, email: email, ip: ip))
            return try await openSession(s, user: user, ip: ip, userAgent: userAgent, replacing: old, now: now)
        }
        return session
    }

    /// Writes a new session row (ending `old`) inside the caller's transaction.
    func openSession(_ s: StoreSession, user: User, ip: String, userAgent: String?, replacing old: String?, now: Timestamp) async throws -> SignedIn {
        if let old { try await s.deleteSession(idHash: Secrets.hash(old)) }
        let id = Secrets.hex(bytes: 16)
        let csrf = Secrets.hex(bytes: 16)
        try await s.insertSession(idHash: Secrets.hash(id), user: user.id, csrfToken: csrf, at: now, ip: ip, userAgent: userAgent)
        return SignedIn(sessionID: id, csrfToken: csrf, user: user)
    }

    /// Checks the throttle and records the attempt as failed in one transaction (serialized per account and address),
    /// before the password is checked: parallel guesses each see the ones before them, so no more than the limit are
    /// ever evaluated. A success later records itself at the same moment, which ends the count. Throws 429 (audited)
    /// when the account or the address must wait.
    func reserveAttempt(email: String, ip: String, now: Timestamp) async throws {
        let wait = try await store.write { s -> Int? in
            try await s.lockLoginAttempts(email: email, ip: ip)
            if let wait = try await throttleDelay(email: email, ip: ip, now: now, s) {
                try await s.appendAudit(AuditEntry(at: now, action: .loginThrottled, email: email, ip: ip, detail: "retry after \(wait) s"))
                return wait
            }
            try await s.recordLoginAttempt(email: email, ip: ip, succeeded: false, at: now)
            return nil
        }
        if let wait { throw AppError.tooManyRequests(retryAfter: wait) }
    }

    /// Seconds to wait before another attempt for this account or address, if it must wait.
    func throttleDelay(email: String, ip: String, now: Timestamp, _ s: StoreSession) async throws -> Int? {
        let since = now.adding(millis: -config.failureWindow)
        let (account, address) = (try await s.loginFailures(email: email, since: since), try await s.loginFailures(ip: ip, since: since))
        let waits = [(account, config.accountFailures), (address, config.addressFailures)].compactMap { failures, limit -> Int64? in
            guard failures.count >= limit, let last = failures.last else { return nil }
            let doublings = min(failures.count - limit, 20)
            let delay = min(config.firstDelay << Int64(doublings), config.maximumDelay)
            let until = last.millis + delay
            return until > now.millis ? until - now.millis : nil
        }
        guard let longest = waits.max() else { return nil }
        return Int((longest + 999) / 1000)
    }

    /// The caller behind a session cookie, or nil when the session does not exist, timed out or its user is disabled.
    public func principal(sessionID: String) async throws -> (Principal, StoredSession)? {
        let hash = Secrets.hash(sessionID)
        let now = clock.now()
        guard let session = try await store.read({ s in try await s.session(idHash: hash) }) else { return nil }
        let idle = now.millis - session.lastSeenAt.millis > config.idleTimeout
        let old = now.millis - session.createdAt.millis > config.absoluteTimeout
        guard !idle, !old, let principal = try await principal(session.user, scope: .admin, credential: .session) else {
            try await store.write { s in try await s.deleteSession(idHash: hash) }
            return nil
        }
        // One write a minute at most keeps the idle timeout honest without a write per request.
        if now.millis - session.lastSeenAt.millis > 60_000 {
            try await store.write { s in try await s.touchSession(idHash: hash, at: now) }
        }
        return (principal, session)
    }

    /// The caller behind a bearer token, or nil when it is unknown, revoked or its user is disabled. A token in JWT form
    /// (amoCRM's long-lived token) must also carry the installation's signature and not be expired.
    public func principal(bearer: String) async throws -> Principal? {
        let now = clock.now()
        let hash = Secrets.hash(bearer)
        let found: (APIToken, User, [PipelineKey: GrantLevel])? = try await store.read { s in
            guard let token = try await s.token(hash: hash) else { return nil }
            if AmoCRMToken.looksLikeJWT(bearer), !(try await Self.acceptsJWT(bearer, token: token, s, now: now)) { return nil }
            return (token, try await s.user(token.user), try await s.grants(user: token.user))
        }
        guard let (token, user, grants) = found, user.active else { return nil }
        let principal = Principal(user: user, grants: grants, scope: token.scope, credential: .token)
        if now.millis - (token.lastUsedAt?.millis ?? 0) > 60_000 {
            try await store.write { s in try await s.touchToken(id: token.id, at: now) }
        }
        return principal
    }

    public func principal(_ id: UserID, scope: TokenScope, credential: Principal.Credential) async throws -> Principal? {
        let (user, grants) = try await store.read { s in (try await s.user(id), try await s.grants(user: id)) }
        guard user.active else { return nil }
        return Principal(user: user, grants: grants, scope: scope, credential: credential)
    }

    /// Ends a session (sign-out).
    public func signOut(sessionHash: String, caller: Caller) async throws {
        let now = clock.now()
        try await store.write { s in
            try await s.deleteSession(idHash: sessionHash)
            try await s.appendAudit(
                AuditEntry(
                    at: now, action: .logout, actor: caller.principal.user.id, subject: caller.principal.user.id, email: caller.principal.user.email,
                    ip: caller.ip))
        }
    }
}

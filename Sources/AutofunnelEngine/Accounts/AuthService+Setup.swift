import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// On a database without users, a new one-time setup token (stored hashed; a restart replaces it). Nil when users exist.
    public func beginSetup() async throws -> String? {
        let now = clock.now()
        let token = Secrets.base64URL(bytes: 24)
        let lifetime = config.setupLifetime
        let created = try await store.write { s in
            guard try await s.userCount() == 0 else { return false }
            try await s.replaceSetupToken(hash: Secrets.hash(token), at: now, expiresAt: now.adding(millis: lifetime))
            return true
        }
        return created ? token : nil
    }

    /// Whether the setup link can still be used.
    public func setupOpen(token: String) async throws -> Bool {
        let now = clock.now()
        return try await store.read { s in
            guard try await s.userCount() == 0 else { return false }
            return try await s.setupTokenValid(hash: Secrets.hash(token), now: now)
        }
    }

    /// Creates the first admin with the setup token, consumes it, and signs the admin in.
    public func completeSetup(token: String, _ new: NewUser, ip: String, userAgent: String?) async throws -> SignedIn {
        var new = new
        new.role = .admin
        let (email, name, problems) = validated(new)
        guard problems.isEmpty, let password = new.password else {
            throw AppError.refused(
                problems.isEmpty
                    ? [.init(rule: .weakPassword, field: "password", message: .init(ru: "Нужен пароль", en: "A password is required"))] : problems)
        }
        let hash = try await hasher.hash(password)
        let now = clock.now()
        let locale = new.locale
        return try await store.write { s in
            guard try await s.userCount() == 0, try await s.setupTokenValid(hash: Secrets.hash(token), now: now) else {
                throw AppError.notFound("This setup link is used or expired")
            }
            let user = try await s.insertUser(email: email, name: name, locale: locale, role: .admin, passwordHash: hash, at: now)
            try await s.deleteSetupTokens()
            try await s.appendAudit(AuditEntry(at: now, action: .setupCompleted, actor: user.id, subject: user.id, email: email, ip: ip))
            return try await openSession(s, user: user, ip: ip, userAgent: userAgent, replacing: nil, now: now)
        }
    }
}

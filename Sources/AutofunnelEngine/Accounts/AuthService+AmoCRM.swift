import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// Longest life of an amoCRM long-lived token, as amoCRM allows: five years.
    public static let amoCRMMaximumDays = 1826

    /// Creates an API token whose secret is an amoCRM long-lived token (a JWT, see `AmoCRMToken`) valid for `days`.
    /// The installation's signing key is made on first use and kept in the database, so every server on it accepts the
    /// token, also after a restart.
    public func createAmoCRMToken(for user: UserID, name rawName: String, scope: TokenScope, days: Int, by caller: Caller?) async throws
        -> IssuedToken
    {
        let name = try Self.checkedTokenRequest(name: rawName, scope: scope, by: caller)
        guard (1...Self.amoCRMMaximumDays).contains(days) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "days",
                    message: .init(
                        ru: "Срок токена: от 1 до \(Self.amoCRMMaximumDays) дней", en: "A token lives 1 to \(Self.amoCRMMaximumDays) days"))
            ])
        }
        let now = clock.now()
        return try await store.write { s in
            let key = try await s.serverSecret(AmoCRMToken.keyName, orStore: Secrets.base64URL(bytes: 32), at: now)
            // The row comes first: the JWT names its id. Until the real hash replaces it, no secret hashes to this one.
            var token = try await s.insertToken(
                user: user, name: name, prefix: "jwt", hash: "pending:" + Secrets.hex(bytes: 16), scope: scope, at: now)
            let jwt = AmoCRMToken(tokenID: token.id, user: user, issuedAt: now, expiresAt: now.adding(millis: Int64(days) * 86_400_000))
                .signed(key: key)
            token.prefix = "jwt…" + String(jwt.suffix(6))
            try await s.setTokenSecret(id: token.id, hash: Secrets.hash(jwt), prefix: token.prefix)
            try await Self.auditTokenCreated(token, by: caller, s, now: now)
            return IssuedToken(token: token, secret: jwt)
        }
    }

    /// Whether a bearer that looks like a JWT is one of ours, signed with the installation's key, unexpired and naming
    /// `token` of `user` (read in the caller's transaction).
    static func acceptsJWT(_ bearer: String, token: APIToken, _ s: StoreSession, now: Timestamp) async throws -> Bool {
        guard let key = try await s.serverSecret(AmoCRMToken.keyName), let jwt = AmoCRMToken.verified(bearer, key: key, now: now) else {
            return false
        }
        return jwt.tokenID == token.id && jwt.user == token.user
    }
}

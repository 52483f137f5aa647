import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// A token just created: the secret is in this value and nowhere else.
    public struct IssuedToken: Sendable {
        public let token: APIToken
        public let secret: String
    }

    /// Creates an API token for a user. The secret (`aft_` + 256 random bits) is returned once; the store keeps its
    /// SHA-256. A caller cannot mint a token wider than their own credential.
    public func createToken(for user: UserID, name rawName: String, scope: TokenScope, by caller: Caller?) async throws -> IssuedToken {
        let name = try Self.checkedTokenRequest(name: rawName, scope: scope, by: caller)
        let secret = "aft_" + Secrets.base64URL(bytes: 32)
        let now = clock.now()
        let token = try await store.write { s in
            let token = try await s.insertToken(
                user: user, name: name, prefix: String(secret.prefix(10)), hash: Secrets.hash(secret), scope: scope, at: now)
            try await Self.auditTokenCreated(token, by: caller, s, now: now)
            return token
        }
        return IssuedToken(token: token, secret: secret)
    }

    /// The trimmed name of a token to create, after checking it and that the caller may mint that scope.
    static func checkedTokenRequest(name rawName: String, scope: TokenScope, by caller: Caller?) throws -> String {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "name",
                    message: .init(ru: "Имя токена: от 1 до 100 символов", en: "A token name has 1 to 100 characters"))
            ])
        }
        if let caller, scope > caller.principal.scope {
            throw AppError.forbidden([
                .init(
                    rule: .forbidden, field: "scope",
                    message: .init(
                        ru: "Нельзя выпустить токен шире своего доступа (\(caller.principal.scope.rawValue))",
                        en: "A token cannot have a wider scope than the credential that creates it (\(caller.principal.scope.rawValue))"))
            ])
        }
        return name
    }

    /// The audit line of a new token, in the caller's transaction (which also checks that the owner exists).
    static func auditTokenCreated(_ token: APIToken, by caller: Caller?, _ s: StoreSession, now: Timestamp) async throws {
        let owner = try await s.user(token.user)
        try await s.appendAudit(
            AuditEntry(
                at: now, action: .tokenCreated, actor: caller?.principal.user.id, subject: token.user, email: owner.email, ip: caller?.ip,
                detail: "\(token.name) (\(token.scope.rawValue))"))
    }

    /// Revokes a token; a caller may revoke their own, an admin anyone's. Others' tokens do not exist for the caller.
    public func revokeToken(id: Int64, by caller: Caller?) async throws {
        let now = clock.now()
        try await store.write { s in
            let token = try await s.token(id: id)
            if let caller, token.user != caller.principal.user.id, !caller.principal.administers {
                throw AppError.notFound("No token with id \(id)")
            }
            let owner = try await s.user(token.user)
            try await s.revokeToken(id: id, at: now)
            try await s.appendAudit(
                AuditEntry(
                    at: now, action: .tokenRevoked, actor: caller?.principal.user.id, subject: token.user, email: owner.email, ip: caller?.ip,
                    detail: token.name))
        }
    }
}

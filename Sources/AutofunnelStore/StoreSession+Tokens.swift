import AutofunnelCore
import SQLKit

extension StoreSession {
    private func tokenQuery() -> SQLSelectBuilder { db.select().column(SQLNames(TokenRecord.columns)).from("api_tokens") }

    /// Stores a token by the hash of its secret.
    public func insertToken(user: UserID, name: String, prefix: String, hash: String, scope: TokenScope, at: Timestamp) async throws -> APIToken {
        var record = TokenRecord(
            id: nil, user_id: user.rawValue, name: name, prefix: prefix, token_hash: hash, scope: scope.rawValue, created_at: at.millis)
        record.id = try await insertReturningID("api_tokens", record)
        return record.token()
    }

    /// The live (not revoked) token whose secret has this hash.
    public func token(hash: String) async throws -> APIToken? {
        try await tokenQuery().where("token_hash", .equal, hash).where("revoked_at", .is, SQLLiteral.null).first(decoding: TokenRecord.self)?
            .token()
    }

    /// The token with this id, revoked or not.
    public func token(id: Int64) async throws -> APIToken {
        guard let r = try await tokenQuery().where("id", .equal, id).first(decoding: TokenRecord.self) else {
            throw StoreError.notFound(entity: "token", id: String(id))
        }
        return r.token()
    }

    /// A user's tokens, newest first, revoked ones included.
    public func tokens(user: UserID) async throws -> [APIToken] {
        try await tokenQuery().where("user_id", .equal, user.rawValue).orderBy("id", .descending).all(decoding: TokenRecord.self).map {
            $0.token()
        }
    }

    /// Marks a token revoked; it stops working at once.
    public func revokeToken(id: Int64, at: Timestamp) async throws {
        try await db.update("api_tokens").set("revoked_at", to: at.millis).where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).run()
    }

    /// Records the time a token was last used.
    public func touchToken(id: Int64, at: Timestamp) async throws {
        try await db.update("api_tokens").set("last_used_at", to: at.millis).where("id", .equal, id).run()
    }

    /// Replaces the stored hash and prefix of a token's secret: for a secret that names the token's own id, which is
    /// known only once the row exists.
    public func setTokenSecret(id: Int64, hash: String, prefix: String) async throws {
        try await db.update("api_tokens").set("token_hash", to: hash).set("prefix", to: prefix).where("id", .equal, id).run()
    }
}

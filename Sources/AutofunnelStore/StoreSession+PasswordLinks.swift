import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Stores a new one-time link of a user by the hash of its secret; the user's earlier unused links stop working.
    public func insertPasswordLink(hash: String, user: UserID, by creator: UserID?, at: Timestamp, expiresAt: Timestamp) async throws {
        try await db.delete(from: "password_links").where("user_id", .equal, user.rawValue).where("used_at", .is, SQLLiteral.null).run()
        try await db.insert(into: "password_links").columns("token_hash", "user_id", "created_by", "created_at", "expires_at").values(
            SQLBind(hash), SQLBind(user.rawValue), SQLBind(creator?.rawValue), SQLBind(at.millis), SQLBind(expiresAt.millis)
        ).run()
    }

    /// The link whose secret has this hash, used or not.
    public func passwordLink(hash: String) async throws -> PasswordLink? {
        guard
            let row = try await db.select().columns("user_id", "created_at", "expires_at", "used_at").from("password_links").where(
                "token_hash", .equal, hash
            ).first()
        else { return nil }
        return PasswordLink(
            user: UserID(try row.decode(column: "user_id", as: Int64.self)),
            createdAt: Timestamp(millis: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Timestamp(millis: try row.decode(column: "expires_at", as: Int64.self)),
            usedAt: try row.decode(column: "used_at", as: Int64?.self).map { Timestamp(millis: $0) })
    }

    /// Marks a link used, if it is still open at `now`, and returns its user; nil when it was used, expired or never
    /// existed. One statement: of two uses at once only one gets the user.
    public func consumePasswordLink(hash: String, at now: Timestamp) async throws -> UserID? {
        let rows = try await db.update("password_links").set("used_at", to: now.millis).where("token_hash", .equal, hash).where(
            "used_at", .is, SQLLiteral.null
        ).where("expires_at", .greaterThan, now.millis).returning("user_id").all()
        return try rows.first.map { UserID(try $0.decode(column: "user_id", as: Int64.self)) }
    }

    /// Removes a user's password: nothing signs in with the old one (a reset link sets the next).
    public func clearPasswordHash(_ id: UserID, at: Timestamp) async throws {
        memo?.forgetUsers()
        try await db.update("users").set(SQLIdentifier("password_hash"), to: SQLLiteral.null).set("password_changed_at", to: at.millis).where(
            "id", .equal, id.rawValue
        )
        .run()
    }
}

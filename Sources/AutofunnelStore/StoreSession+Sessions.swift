import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Stores a new session.
    public func insertSession(idHash: String, user: UserID, csrfToken: String, at: Timestamp, ip: String?, userAgent: String?) async throws {
        let record = SessionRecord(
            id_hash: idHash, user_id: user.rawValue, csrf_token: csrfToken, created_at: at.millis, last_seen_at: at.millis, ip: ip,
            user_agent: userAgent.map { String($0.prefix(300)) })
        try await db.raw(insertStatement(into: "sessions", record)).run()
    }

    /// The session with this id hash, if it exists.
    public func session(idHash: String) async throws -> StoredSession? {
        guard
            let r = try await db.select().columns("id_hash", "user_id", "csrf_token", "created_at", "last_seen_at", "ip", "user_agent").from(
                "sessions"
            ).where("id_hash", .equal, idHash).first(decoding: SessionRecord.self)
        else { return nil }
        return StoredSession(
            idHash: r.id_hash, user: UserID(r.user_id), csrfToken: r.csrf_token, createdAt: Timestamp(millis: r.created_at),
            lastSeenAt: Timestamp(millis: r.last_seen_at))
    }

    /// Records activity on a session (for the idle timeout).
    public func touchSession(idHash: String, at: Timestamp) async throws {
        try await db.update("sessions").set("last_seen_at", to: at.millis).where("id_hash", .equal, idHash).run()
    }

    /// Ends one session.
    public func deleteSession(idHash: String) async throws {
        try await db.delete(from: "sessions").where("id_hash", .equal, idHash).run()
    }

    /// Ends every session of a user (disabled, password changed).
    public func deleteSessions(user: UserID) async throws {
        try await db.delete(from: "sessions").where("user_id", .equal, user.rawValue).run()
    }

    /// How many sessions a user has.
    public func sessionCount(user: UserID) async throws -> Int {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sessions").where(
            "user_id", .equal, user.rawValue
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Removes sessions idle or older than the limits, so the table does not grow without end.
    public func deleteExpiredSessions(idleBefore: Timestamp, createdBefore: Timestamp) async throws {
        try await db.delete(from: "sessions").where("last_seen_at", .lessThan, idleBefore.millis).orWhere(
            "created_at", .lessThan, createdBefore.millis
        ).run()
    }
}

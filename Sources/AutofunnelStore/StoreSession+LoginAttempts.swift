import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Records a sign-in attempt; shared by every instance, so throttling holds behind a load balancer.
    public func recordLoginAttempt(email: String, ip: String, succeeded: Bool, at: Timestamp) async throws {
        try await db.insert(into: "login_attempts").columns("at", "email", "ip", "succeeded").values(
            SQLBind(at.millis), SQLBind(email.lowercased()), SQLBind(ip), SQLBind(succeeded ? 1 : 0)
        ).run()
    }

    /// Failures for an account (`email`) or an address (`ip`) since its last success and not before `since`.
    public func loginFailures(email: String? = nil, ip: String? = nil, since: Timestamp) async throws -> FailureCount {
        let column = email != nil ? "email" : "ip"
        let value = email?.lowercased() ?? ip ?? ""
        let lastSuccess = try await db.select().column(SQLFunction("MAX", args: SQLColumn("at")), as: "t").from("login_attempts")
            .where(SQLColumn(column), .equal, SQLBind(value)).where("succeeded", .equal, 1).where("at", .greaterThanOrEqual, since.millis).first()
        let from = max(since.millis, (try lastSuccess?.decode(column: "t", as: Int64?.self)).flatMap { $0 }.map { $0 + 1 } ?? since.millis)
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(
            SQLFunction("MAX", args: SQLColumn("at")), as: "t"
        ).from("login_attempts").where(SQLColumn(column), .equal, SQLBind(value)).where("succeeded", .equal, 0).where(
            "at", .greaterThanOrEqual, from
        ).first()
        let count = try row?.decode(column: "n", as: Int.self) ?? 0
        let last = try row?.decode(column: "t", as: Int64?.self)
        return FailureCount(count: count, last: last.map(Timestamp.init(millis:)))
    }

    /// Serializes throttle checks of one account and one address until the transaction ends (PostgreSQL advisory
    /// locks; SQLite has a single writer anyway), so that parallel attempts count each other.
    public func lockLoginAttempts(email: String, ip: String) async throws {
        guard db.dialect.name == "postgresql" else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(7202612, hashtext(\(bind: email.lowercased())))").run()
        try await db.raw("SELECT pg_advisory_xact_lock(7202613, hashtext(\(bind: ip)))").run()
    }

    /// Forgets attempts older than the window.
    public func deleteLoginAttempts(before: Timestamp) async throws {
        try await db.delete(from: "login_attempts").where("at", .lessThan, before.millis).run()
    }

    /// Replaces the setup token of a new installation (one at a time: a restart prints a new one).
    public func replaceSetupToken(hash: String, at: Timestamp, expiresAt: Timestamp) async throws {
        try await db.delete(from: "setup_tokens").run()
        try await db.insert(into: "setup_tokens").columns("token_hash", "created_at", "expires_at").values(
            SQLBind(hash), SQLBind(at.millis), SQLBind(expiresAt.millis)
        ).run()
    }

    /// Whether a setup token is valid now.
    public func setupTokenValid(hash: String, now: Timestamp) async throws -> Bool {
        try await db.select().column("token_hash").from("setup_tokens").where("token_hash", .equal, hash).where(
            "expires_at", .greaterThan, now.millis
        ).first() != nil
    }

    /// Removes every setup token (the first admin exists).
    public func deleteSetupTokens() async throws { try await db.delete(from: "setup_tokens").run() }
}

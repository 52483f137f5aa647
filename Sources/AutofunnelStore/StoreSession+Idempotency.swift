import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Claims a key for a request fingerprint (method, path and body hash), or says how it was used before.
    /// A claim older than `staleAfter` with no answer belongs to a server that stopped: if that attempt wrote nothing,
    /// the key is taken over and the request runs again.
    public func claimIdempotencyKey(_ key: String, fingerprint: String, at: Timestamp, staleAfter: Int64 = 60_000, retried: Bool = false)
        async throws -> IdempotencyClaim
    {
        if let row = try await db.select().columns("fingerprint", "status", "content_type", "body", "created_at", "applied").from("idempotency_keys")
            .where("key", .equal, key).first()
        {
            guard try row.decode(column: "fingerprint", as: String.self) == fingerprint else { return .mismatch }
            guard let status = try row.decode(column: "status", as: Int?.self) else {
                guard try row.decode(column: "created_at", as: Int64.self) < at.millis - staleAfter else { return .inProgress }
                if try row.decode(column: "applied", as: Int64?.self) ?? 0 != 0 { return .appliedWithoutAnswer }
                try await db.update("idempotency_keys").set("created_at", to: at.millis).where("key", .equal, key).run()
                return .claimed
            }
            return .replay(
                status: status, contentType: try row.decode(column: "content_type", as: String?.self),
                body: try row.decode(column: "body", as: String?.self) ?? "")
        }
        // The row went away between the insert and the read (its request failed and released it): try again later.
        if retried { return .inProgress }
        // Two requests with one key may both find no row: the second insert does nothing (PostgreSQL waits for the
        // first to commit) and the row it then reads says how the first one stands.
        let inserted = try await db.raw(
            "INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES (\(bind: key), \(bind: fingerprint), \(bind: at.millis)) ON CONFLICT (key) DO NOTHING RETURNING key"
        ).first()
        if inserted != nil { return .claimed }
        return try await claimIdempotencyKey(key, fingerprint: fingerprint, at: at, staleAfter: staleAfter, retried: true)
    }

    /// Marks a claimed key as having changed data, in the transaction that changed it.
    public func markIdempotencyKeyApplied(_ key: String) async throws {
        try await db.update("idempotency_keys").set("applied", to: 1).where("key", .equal, key).where("status", .is, SQLLiteral.null).run()
    }

    /// Stores the response of a claimed key so retries replay it.
    public func completeIdempotencyKey(_ key: String, status: Int, contentType: String?, body: String) async throws {
        try faults.check(.beforeIdempotencyAnswer)
        try await db.update("idempotency_keys").set("status", to: status).set("content_type", to: contentType).set("body", to: body).where(
            "key", .equal, key
        ).run()
    }

    /// Forgets a claimed key whose request failed on our side, so that a retry can run it again.
    public func releaseIdempotencyKey(_ key: String) async throws {
        try await db.delete(from: "idempotency_keys").where("key", .equal, key).where("status", .is, SQLLiteral.null).run()
    }

    /// Deletes keys older than `before` (kept at least 24 hours).
    public func purgeIdempotencyKeys(before: Timestamp) async throws {
        try await db.delete(from: "idempotency_keys").where("created_at", .lessThan, before.millis).run()
    }
}

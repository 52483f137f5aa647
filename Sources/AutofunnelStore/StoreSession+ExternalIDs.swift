import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Our id of the record `externalID` names in `source` (e.g. an amoCRM lead id), if an import made or met it.
    public func localID(_ kind: ExternalKind, source: String, externalID: String) async throws -> Int64? {
        let row = try await db.select().column("local_id").from("external_ids").where("kind", .equal, kind.rawValue)
            .where("source", .equal, source).where("external_id", .equal, externalID).first()
        return try row.map { try $0.decode(column: "local_id", as: Int64.self) }
    }

    /// Ties our record to its id in `source`; a pair already tied keeps its first record.
    public func linkExternalID(_ kind: ExternalKind, source: String, externalID: String, localID: Int64, at: Timestamp) async throws {
        try await db.insert(into: "external_ids").columns("kind", "source", "external_id", "local_id", "created_at")
            .values(SQLBind(kind.rawValue), SQLBind(source), SQLBind(externalID), SQLBind(localID), SQLBind(at.millis))
            .ignoringConflicts(with: ["kind", "source", "external_id"]).run()
    }

    /// Our ids of the records `externalIDs` name in `source`, in a query per 500: the ids no import made or met are absent.
    public func localIDs(_ kind: ExternalKind, source: String, externalIDs: [String]) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for start in stride(from: 0, to: externalIDs.count, by: 500) {
            let chunk = Array(externalIDs[start..<min(start + 500, externalIDs.count)])
            let rows = try await db.select().column("external_id").column("local_id").from("external_ids").where("kind", .equal, kind.rawValue)
                .where("source", .equal, source).where("external_id", .in, chunk).all()
            for row in rows { out[try row.decode(column: "external_id", as: String.self)] = try row.decode(column: "local_id", as: Int64.self) }
        }
        return out
    }

    /// Ties many of our records to their ids in `source` (`insertRows`); a pair already tied keeps its first record.
    public func linkExternalIDs(_ kind: ExternalKind, source: String, _ links: [(externalID: String, localID: Int64, at: Timestamp)]) async throws {
        let rows: [[SQLValue]] = links.map {
            [.text(kind.rawValue), .text(source), .text($0.externalID), .integer($0.localID), .integer($0.at.millis)]
        }
        _ = try await insertRows(
            into: "external_ids", columns: ["kind", "source", "external_id", "local_id", "created_at"], rows: rows,
            ignoringConflictsWith: ["kind", "source", "external_id"])
    }

    /// Ties `externalID` to another of our records (its record was deleted and a new one takes its place).
    public func relinkExternalID(_ kind: ExternalKind, source: String, externalID: String, localID: Int64) async throws {
        try await db.update("external_ids").set("local_id", to: localID).where("kind", .equal, kind.rawValue)
            .where("source", .equal, source).where("external_id", .equal, externalID).run()
    }

    /// Runs `body` in a savepoint of this write transaction: when it throws, what it wrote is undone and the rest of
    /// the transaction goes on (one refused record of an import batch does not undo the others).
    public func savepoint<T: Sendable>(_ name: String, _ body: (StoreSession) async throws -> T) async throws -> T {
        precondition(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "a savepoint name is an identifier")
        try await db.raw("SAVEPOINT \(unsafeRaw: name)").run()
        // A fresh memo: what the body read or wrote may be rolled back.
        let inner = StoreSession(db: db, faults: faults, memo: memo.map { SessionMemo(readsAreLocked: $0.readsAreLocked) })
        do {
            let result = try await body(inner)
            try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            memo?.forgetAll()
            return result
        } catch {
            try await db.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)").run()
            try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            memo?.forgetAll()
            throw error
        }
    }
}

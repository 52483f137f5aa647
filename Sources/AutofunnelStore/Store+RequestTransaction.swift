import AutofunnelCore
import SQLKit
import Synchronization

/// One write transaction that a whole request runs in: every `Store.write` inside it becomes a savepoint (rolled
/// back alone when its body throws, as a transaction of its own would be), every `Store.read` reads inside it, and
/// the request's answer is stored before the one commit. An `Idempotency-Key` uses it so that the change and the
/// answer a retry replays commit together: after a crash there is either both or neither.
final class RequestTransaction: Sendable {
    let db: any SQLDatabase
    private let savepoints = Mutex(0)

    init(db: any SQLDatabase) { self.db = db }

    func nextSavepoint() -> String {
        savepoints.withLock { n in
            n += 1
            return "af_request_\(n)"
        }
    }
}

/// A request's answer that must not be stored: the transaction is rolled back and the answer still returned.
public struct DiscardedAnswer<T: Sendable>: Error {
    public let value: T
    public init(_ value: T) { self.value = value }
}

extension Store {
    @TaskLocal static var requestTransaction: RequestTransaction?

    /// Runs `body` in one write transaction, then `finish` with its result in the same transaction, then commits. A
    /// `DiscardedAnswer` thrown by `finish` rolls everything back and returns its value; any other error rolls back
    /// and is thrown.
    public func inRequestTransaction<T: Sendable>(
        _ body: @Sendable () async throws -> T, finish: @Sendable (StoreSession, T) async throws -> Void
    ) async throws -> T {
        let faults = self.faults
        do {
            let result = try await backend.write { db in
                let transaction = RequestTransaction(db: db)
                let result = try await Self.$requestTransaction.withValue(transaction) { try await body() }
                try await finish(StoreSession(db: db, faults: faults), result)
                return result
            }
            writeHealth.succeeded()
            return result
        } catch let discarded as DiscardedAnswer<T> {
            return discarded.value
        } catch {
            throw writeFailed(error)
        }
    }

    /// `write` inside a request transaction: a savepoint.
    func writeInRequest<T: Sendable>(_ transaction: RequestTransaction, _ body: @Sendable (StoreSession) async throws -> T) async throws -> T {
        let name = transaction.nextSavepoint()
        let db = transaction.db
        try await db.raw("SAVEPOINT \(unsafeRaw: name)").run()
        let session = StoreSession(db: db, faults: faults, memo: SessionMemo(readsAreLocked: backend.name == "sqlite"))
        do {
            let result = try await body(session)
            if let key = Self.idempotencyKey { try await session.markIdempotencyKeyApplied(key) }
            try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            return result
        } catch {
            try await db.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)").run()
            try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            throw error
        }
    }
}

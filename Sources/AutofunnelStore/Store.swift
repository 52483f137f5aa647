import AutofunnelCore
import Logging
import SQLKit

/// The SQL store. All of the product's SQL lives in this module and runs unchanged on SQLite and PostgreSQL.
public struct Store: Sendable {
    public let backend: any StoreBackend
    /// Test hook: faults to throw at named points inside transactions.
    public var faults: FaultInjector
    /// The migrations `open` applied (empty when the schema was current).
    public var appliedMigrations: [String] = []
    /// Whether writes are failing for a storage fault (shared by copies of this store).
    public let writeHealth = WriteHealth()

    public init(backend: any StoreBackend, faults: FaultInjector = .none) {
        self.backend = backend
        self.faults = faults
    }

    /// Opens the database at `location` and applies pending migrations.
    public static func open(_ location: DatabaseLocation, logger: Logger, now: Timestamp) async throws -> Store {
        let backend = try await location.open(logger: logger)
        let applied: [String]
        do {
            applied = try await Migrations.run(on: backend, now: now.millis)
        } catch {
            try? await backend.close()
            throw error
        }
        var store = Store(backend: backend)
        store.appliedMigrations = applied
        return store
    }

    /// Reads outside a transaction.
    public func read<T: Sendable>(_ body: @Sendable (StoreSession) async throws -> T) async throws -> T {
        let faults = self.faults
        if let transaction = Self.requestTransaction { return try await body(StoreSession(db: transaction.db, faults: faults)) }
        do {
            return try await backend.read { db in try await body(StoreSession(db: db, faults: faults)) }
        } catch {
            throw StorageFault.classify(error) ?? error
        }
    }

    /// The `Idempotency-Key` of the request being handled: its first write transaction marks the key as applied in
    /// the same commit, so a retry after a crash knows whether the first attempt changed anything.
    @TaskLocal public static var idempotencyKey: String?

    /// Runs `body` in one transaction: every row it writes commits together or not at all.
    public func write<T: Sendable>(_ body: @Sendable (StoreSession) async throws -> T) async throws -> T {
        if let transaction = Self.requestTransaction { return try await writeInRequest(transaction, body) }
        let faults = self.faults
        let key = Self.idempotencyKey
        let readsAreLocked = backend.name == "sqlite"
        do {
            let result = try await backend.write { db in
                let session = StoreSession(db: db, faults: faults, memo: SessionMemo(readsAreLocked: readsAreLocked))
                let result = try await body(session)
                if let key { try await session.markIdempotencyKeyApplied(key) }
                return result
            }
            writeHealth.succeeded()
            return result
        } catch {
            throw writeFailed(error)
        }
    }

    /// What a failed write throws: a storage fault as `StoreError.unavailable`, remembered in `writeHealth` until a
    /// write succeeds; any other error as it is.
    func writeFailed(_ error: any Error) -> any Error {
        guard let fault = StorageFault.classify(error) else { return error }
        if case .unavailable(let reason) = fault { writeHealth.failed(reason) }
        return fault
    }

    /// Whether writes work: when the last write failed for a storage fault, a probe write checks again (so the answer
    /// recovers by itself once the disk has room). Nil when they work, else the fault.
    public func writeProblem() async -> String? {
        guard writeHealth.failing != nil else { return nil }
        do {
            // A write that needs new pages, committed (a full disk fails at the commit), then undone.
            try await write { s in try await s.probeWrite(keep: true) }
            try await write { s in try await s.probeWrite(keep: false) }
            return nil
        } catch {
            return writeHealth.failing ?? "\(error)"
        }
    }

    /// Whether the database answers a trivial query.
    public func ping() async -> Bool {
        do {
            return try await backend.read { db in try await db.raw("SELECT 1 AS ok").first() != nil }
        } catch {
            return false
        }
    }

    public func close() async throws { try await backend.close() }

    /// Runs `body`, then closes the store — also when the body throws, since SQLite connections must be closed
    /// before they are released.
    public func closing<T>(_ body: (Store) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            try await close()
            return result
        } catch {
            try? await close()
            throw error
        }
    }
}

/// Named places inside a transaction where a test can make the store fail, to prove nothing half-written survives.
public struct FaultInjector: Sendable {
    /// A point inside a transaction.
    public enum Point: String, Sendable { case afterDealInsert, afterDealUpdate, afterStageLog, beforeIdempotencyAnswer, afterTimerTaken }
    let shouldFail: @Sendable (Point) -> Bool

    public init(_ shouldFail: @escaping @Sendable (Point) -> Bool) { self.shouldFail = shouldFail }
    /// No faults: production.
    public static let none = FaultInjector { _ in false }

    func check(_ point: Point) throws {
        if shouldFail(point) { throw StoreError.injectedFault(point.rawValue) }
    }
}

/// One connection's view of the store: inside `Store.write` everything it does is one transaction.
public struct StoreSession: Sendable {
    let db: any SQLDatabase
    let faults: FaultInjector
    /// Records this write transaction already read or wrote; nil in read sessions.
    var memo: SessionMemo? = nil
}

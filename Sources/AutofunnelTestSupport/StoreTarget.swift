import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import Logging

/// The databases the storage suite runs on: SQLite in memory, SQLite on a file, and the real PostgreSQL server that
/// `scripts/test` starts (its URL in `AUTOFUNNEL_TEST_POSTGRES_URL`).
public enum StoreTarget: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqliteMemory, sqliteFile, postgres

    public var description: String { rawValue }

    /// The targets to run: PostgreSQL only when its URL is set, unless `AUTOFUNNEL_REQUIRE_POSTGRES=1` demands it
    /// (then a missing server fails the suite instead of skipping it silently).
    public static var available: [StoreTarget] {
        let env = ProcessInfo.processInfo.environment
        if !(env["AUTOFUNNEL_TEST_POSTGRES_URL"] ?? "").isEmpty || env["AUTOFUNNEL_REQUIRE_POSTGRES"] == "1" { return allCases }
        return [.sqliteMemory, .sqliteFile]
    }

    /// A fresh, migrated, empty database of this kind.
    public func open(logger: Logger = Logger(label: "test")) async throws -> Store {
        switch self {
        case .sqliteMemory:
            return try await Store.open(.sqliteMemory, logger: logger, now: Fixtures.t0)
        case .sqliteFile:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try await Store.open(.sqliteFile(dir.appendingPathComponent("test.sqlite").path), logger: logger, now: Fixtures.t0)
        case .postgres:
            guard let base = ProcessInfo.processInfo.environment["AUTOFUNNEL_TEST_POSTGRES_URL"] else {
                throw StoreError.badDatabaseURL("AUTOFUNNEL_TEST_POSTGRES_URL is not set; run scripts/test")
            }
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try PostgresBackend(url: base, logger: logger, maxConnections: 1)
            do {
                try await admin.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
                try await admin.close()
            } catch {
                try? await admin.close()
                throw error
            }
            var url = URLComponents(string: base)!
            url.path = "/" + name
            return try await Store.open(.postgres(url.string!), logger: logger, now: Fixtures.t0)
        }
    }

    /// Runs `body` with a fresh store and closes it afterwards.
    public func withStore<T>(faults: FaultInjector = .none, _ body: (Store) async throws -> T) async throws -> T {
        var store = try await open()
        store.faults = faults
        return try await store.closing(body)
    }
}

import SQLKit

/// Where the store's SQL runs: SQLite or PostgreSQL. Backends differ only in how they hold connections and open
/// transactions; every query is the same SQLKit code on both.
public protocol StoreBackend: Sendable {
    /// `sqlite` or `postgresql`.
    var name: String { get }
    /// Runs reads outside a transaction.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Closes every connection. Call once, on shutdown.
    func close() async throws
}

import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through a connection pool; several stateless server instances can share one database.
public final class PostgresBackend: StoreBackend {
    public let name = "postgresql"
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// Connects to `postgres://user:password@host:port/database` (`?sslmode=disable` is the default here).
    public init(url: String, logger: Logger, maxConnections: Int = 20) throws {
        guard let components = URLComponents(string: url), let host = components.host,
            ["postgres", "postgresql"].contains(components.scheme ?? "")
        else { throw StoreError.badDatabaseURL(url) }
        let database = String(components.path.drop { $0 == "/" })
        var config = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        config.options.maximumConnections = maxConnections
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql())
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.withConnection { connection in
            let db = connection.sql()
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                do { try await db.raw("ROLLBACK").run() } catch { logger.error("rollback failed: \(error)") }
                throw error
            }
        }
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }
}

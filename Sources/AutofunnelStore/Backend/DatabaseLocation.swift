import Foundation
import Logging

/// Where the data lives, read from a `--database-url`: `sqlite:PATH`, `sqlite::memory:`, a plain file path, or `postgres://…`.
public enum DatabaseLocation: Equatable, Sendable {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    public init(url: String) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url)
        } else if url == "sqlite::memory:" || url == ":memory:" {
            self = .sqliteMemory
        } else if url.hasPrefix("sqlite://") {
            self = .sqliteFile(String(url.dropFirst("sqlite://".count)))
        } else if url.hasPrefix("sqlite:") {
            self = .sqliteFile(String(url.dropFirst("sqlite:".count)))
        } else {
            self = .sqliteFile(url)
        }
    }

    /// Opens the backend, creating the SQLite file's folder when needed.
    public func open(logger: Logger) async throws -> any StoreBackend {
        switch self {
        case .sqliteFile(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            return try await SQLiteBackend.open(path: path, logger: logger)
        case .sqliteMemory:
            return try await SQLiteBackend.open(path: nil, logger: logger)
        case .postgres(let url):
            return try PostgresBackend(url: url, logger: logger)
        }
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// What a backup file holds, read from the file itself.
public struct BackupSummary: Sendable, Equatable {
    /// The file's size in bytes.
    public let bytes: Int64
    /// Rows in `deals` (deleted deals included).
    public let deals: Int
    /// The migrations recorded in its `schema_migrations`, in order.
    public let migrations: [String]
}

// Backups are made with `VACUUM INTO`: one statement on a reader connection, inside one read transaction, so the copy
// is a consistent snapshot while the writer goes on (WAL); it writes a compact file in rollback-journal mode with no
// `-wal` beside it. The online backup API copies pages ~1.5× faster (measured on 100 MB) but needs the C API on a
// connection of its own; a backup is rare and the extra seconds buy SQL the store already speaks.
extension Store {
    /// Writes a consistent copy of this SQLite database to `file`, checked with `PRAGMA integrity_check` before it
    /// takes the name: a failed backup leaves no file. Refuses an existing `file` unless `replacing`.
    public func backup(to file: String, replacing: Bool = false, logger: Logger) async throws -> BackupSummary {
        guard backend.name == "sqlite" else { throw BackupError.notSQLiteFile(backend.name) }
        return try await backend.read { db in try await Self.backup(db, to: file, replacing: replacing, logger: logger) }
    }

    /// Backs up the SQLite database at `path` without migrating it: a running server (maybe of another version) may
    /// be writing to it meanwhile.
    public static func backup(sqliteFile path: String, to file: String, replacing: Bool, logger: Logger) async throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.noDatabase(path) }
        guard BackupFiles.hasSQLiteHeader(path) else { throw BackupError.notADatabase(path) }
        let connection = try DirectSQLiteConnection(path: BackupFiles.uri(path, mode: "rw"), logger: logger)
        defer { connection.close() }
        let db = connection.sql(on: NIOSingletons.posixEventLoopGroup.next())
        // The server's writer may hold the lock for a moment; wait as long as the server's own connections do.
        try await db.raw("PRAGMA busy_timeout=10000").run()
        return try await backup(db, to: file, replacing: replacing, logger: logger)
    }

    /// Checks a backup file: an SQLite database that passes `PRAGMA integrity_check` and has our `schema_migrations`.
    public static func inspectBackup(at path: String, logger: Logger) async throws -> BackupSummary {
        try await inspect(path, naming: path, logger: logger)
    }

    /// `VACUUM INTO` a temporary file next to `file`, checked and synced, then renamed to `file`.
    static func backup(_ db: any SQLDatabase, to file: String, replacing: Bool, logger: Logger) async throws -> BackupSummary {
        let source = try await db.raw("PRAGMA database_list").all().first { (try? $0.decode(column: "name", as: String.self)) == "main" }
        if let source = try source?.decode(column: "file", as: String.self), BackupFiles.sameFile(source, file) {
            throw BackupError.sameFile(file)
        }
        if FileManager.default.fileExists(atPath: file), !replacing { throw BackupError.fileExists(file) }
        let temporary = BackupFiles.temporary(next: file)
        do {
            try await db.raw("VACUUM INTO \(bind: temporary)").run()
            let summary = try await inspect(temporary, naming: file, logger: logger)
            try BackupFiles.sync(temporary)
            try BackupFiles.rename(temporary, to: file)
            return summary
        } catch {
            BackupFiles.remove(temporary)
            throw error
        }
    }

    /// Inspects the database at `path`, naming it `name` in errors (`path` may be a temporary copy).
    static func inspect(_ path: String, naming name: String, logger: Logger) async throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.noDatabase(name) }
        guard BackupFiles.hasSQLiteHeader(path) else { throw BackupError.notADatabase(name) }
        let connection = try DirectSQLiteConnection(path: BackupFiles.uri(path, mode: "rw"), logger: logger)
        defer { connection.close() }
        let db = connection.sql(on: NIOSingletons.posixEventLoopGroup.next())
        do {
            let report = try await db.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            guard report == ["ok"] else { throw BackupError.damaged(name, report.prefix(5).joined(separator: "; ")) }
            let tables = try await db.select().column("name").from("sqlite_master").where("type", .equal, "table")
                .where("name", .in, ["schema_migrations", "deals"] as [String]).all().map { try $0.decode(column: "name", as: String.self) }
            guard tables.contains("schema_migrations") else { throw BackupError.notAutofunnel(name) }
            let migrations = try await db.select().column("id").from("schema_migrations").orderBy("id").all()
                .map { try $0.decode(column: "id", as: String.self) }
            var deals = 0
            if tables.contains("deals") {
                let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("deals").first()
                deals = try row?.decode(column: "n", as: Int.self) ?? 0
            }
            return BackupSummary(bytes: BackupFiles.size(path), deals: deals, migrations: migrations)
        } catch let error as DirectSQLiteError {
            // NOTADB: a header with nothing SQLite behind it; CORRUPT: pages integrity_check could not even walk.
            switch error.code & 0xff {
            case 26: throw BackupError.notADatabase(name)
            case 11: throw BackupError.damaged(name, error.message)
            default: throw error
            }
        }
    }
}

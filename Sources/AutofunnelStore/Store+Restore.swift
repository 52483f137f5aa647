import AutofunnelCore
import Foundation
import Logging

/// What a restore put in place.
public struct RestoreSummary: Sendable, Equatable {
    /// The backup as it was checked, before it was migrated.
    public let backup: BackupSummary
    /// The migrations applied to it (a backup of an older version).
    public let appliedMigrations: [String]
    /// Whether a database was there and has been replaced.
    public let replaced: Bool
}

extension Store {
    /// Replaces the SQLite database at `path` with the backup `file`. The backup is copied next to `path` and checked
    /// there (`inspectBackup`; migrations this binary does not know are refused), then migrated, then renamed over
    /// `path` — after removing the old database's `-wal`, `-shm` and `-journal`, which belong to the old file. An
    /// existing database is replaced only when no other connection holds it open and `confirm` says so.
    public static func restore(
        from file: String, to path: String, logger: Logger, now: Timestamp, confirm: (BackupSummary) async throws -> Bool
    ) async throws -> RestoreSummary {
        let files = FileManager.default
        guard files.fileExists(atPath: file) else { throw BackupError.noDatabase(file) }
        if BackupFiles.sameFile(file, path) { throw BackupError.sameFile(file) }
        guard BackupFiles.hasSQLiteHeader(file) else { throw BackupError.notADatabase(file) }
        // A copied live database: its last transactions are in the -wal, which a copy of the main file leaves out.
        if BackupFiles.size(file + "-wal") > 0 { throw BackupError.liveDatabase(file) }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try files.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let temporary = BackupFiles.temporary(next: path)
        do {
            try files.copyItem(atPath: file, toPath: temporary)
            let backup = try await inspect(temporary, naming: file, logger: logger)
            let known = Set(Migrations.all.map(\.id))
            let unknown = backup.migrations.filter { !known.contains($0) }
            guard unknown.isEmpty else { throw BackupError.newerThanThisBinary(file, unknown) }
            let replacing = files.fileExists(atPath: path)
            if replacing {
                try ensureNotInUse(path, logger: logger)
                guard try await confirm(backup) else { throw BackupError.notConfirmed(path) }
            }
            let store = try await Store.open(.sqliteFile(temporary), logger: logger, now: now)
            let applied = store.appliedMigrations
            try await store.close()
            // Closing the last connection checkpoints the WAL into the file and deletes it; a WAL left with data
            // would be lost by the rename.
            guard BackupFiles.size(temporary + "-wal") == 0 else {
                throw BackupError.fileOperation("\(temporary)-wal was not checkpointed; \(path) was left as it was")
            }
            for sidecar in BackupFiles.sidecars(of: temporary) { try? files.removeItem(atPath: sidecar) }
            try BackupFiles.sync(temporary)
            if replacing { try ensureNotInUse(path, logger: logger) }
            for sidecar in BackupFiles.sidecars(of: path) where files.fileExists(atPath: sidecar) { try files.removeItem(atPath: sidecar) }
            try BackupFiles.rename(temporary, to: path)
            return RestoreSummary(backup: backup, appliedMigrations: applied, replaced: replacing)
        } catch {
            BackupFiles.remove(temporary)
            throw error
        }
    }

    /// Throws `BackupError.inUse` when another connection (of any process) holds the database at `path` open. Our
    /// servers keep WAL databases, where every open connection holds a shared lock on the file: an exclusive lock,
    /// tried without waiting, is refused exactly while one is open.
    static func ensureNotInUse(_ path: String, logger: Logger) throws {
        // A file SQLite cannot open or read is no database anyone uses; the restore replaces it.
        guard let connection = try? DirectSQLiteConnection(path: BackupFiles.uri(path, mode: "rw"), logger: logger) else { return }
        defer { connection.close() }
        do {
            try connection.run("PRAGMA locking_mode=EXCLUSIVE", []) { _ in }
            try connection.run("BEGIN EXCLUSIVE", []) { _ in }
            try connection.run("COMMIT", []) { _ in }
        } catch let error as DirectSQLiteError where [5, 6].contains(error.code & 0xff) {
            throw BackupError.inUse(path)
        } catch {
            return
        }
    }
}

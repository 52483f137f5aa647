import Foundation

/// Why a backup or a restore refused or failed; nothing was replaced when one is thrown.
public enum BackupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Backup and restore work on SQLite files; the payload names the database kind.
    case notSQLiteFile(String)
    /// There is no database at this path.
    case noDatabase(String)
    /// The destination exists and the caller did not ask to replace it.
    case fileExists(String)
    /// The backup and the database are the same file.
    case sameFile(String)
    /// The file is not an SQLite database.
    case notADatabase(String)
    /// An SQLite database without our `schema_migrations` table.
    case notAutofunnel(String)
    /// `PRAGMA integrity_check` found problems (its first lines).
    case damaged(String, String)
    /// The file holds migrations this binary does not know: a newer version wrote it.
    case newerThanThisBinary(String, [String])
    /// A write-ahead log with data lies next to the file: a live database, not a backup.
    case liveDatabase(String)
    /// Another connection holds the database open (a running server).
    case inUse(String)
    /// The caller declined to replace the existing database.
    case notConfirmed(String)
    /// A file operation failed (the message says which and why).
    case fileOperation(String)

    public var description: String {
        switch self {
        case .notSQLiteFile(let kind): "backup and restore work on SQLite files, not on \(kind)"
        case .noDatabase(let path): "no database at \(path)"
        case .fileExists(let path): "\(path) exists"
        case .sameFile(let path): "\(path) is the database itself"
        case .notADatabase(let path): "\(path) is not an SQLite database"
        case .notAutofunnel(let path): "\(path) is an SQLite database but not an Autofunnel one (it has no schema_migrations table)"
        case .damaged(let path, let report): "\(path) fails PRAGMA integrity_check: \(report)"
        case .newerThanThisBinary(let path, let ids):
            "\(path) was written by a newer autofunnel: this binary does not know its migrations \(ids.joined(separator: ", "))"
        case .liveDatabase(let path):
            "\(path)-wal holds data: \(path) is a live database, not a backup (take one with autofunnel backup)"
        case .inUse(let path): "\(path) is in use by another process (a running server?): stop it first"
        case .notConfirmed(let path): "\(path) was left as it was"
        case .fileOperation(let message): message
        }
    }
}

/// The file operations around a backup: temporary names, the SQLite header, syncing and the atomic rename.
enum BackupFiles {
    /// A new name next to `path` for a file that becomes `path` by a rename.
    static func temporary(next path: String) -> String {
        "\(path).partial-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A `file:` URI for SQLite (`mode=rw` opens without creating a missing file; a plain path would create it).
    static func uri(_ path: String, mode: String) -> String {
        let absolute = URL(fileURLWithPath: path).path
        var escaped = ""
        for character in absolute {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return "file:\(escaped)?mode=\(mode)"
    }

    /// The files SQLite keeps next to a database.
    static func sidecars(of path: String) -> [String] { ["-wal", "-shm", "-journal"].map { path + $0 } }

    /// Removes `path` and its sidecars, ignoring the ones that are not there.
    static func remove(_ path: String) {
        for file in [path] + sidecars(of: path) { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Whether the file starts with SQLite's 16-byte header (an empty or foreign file does not).
    static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\0".utf8)
    }

    /// The size of a file in bytes (0 when it is missing).
    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Whether two paths name the same file (also through symbolic links or hard links).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Flushes `path` to the disk; SQLite does not sync what `VACUUM INTO` writes.
    static func sync(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// Replaces `destination` by `source` in one step (rename(2)), then syncs the folder so the new name survives a
    /// power loss.
    static func rename(_ source: String, to destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else {
            throw BackupError.fileOperation("cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        let descriptor = open(folder, O_RDONLY)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }
}

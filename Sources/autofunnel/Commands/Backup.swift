import ArgumentParser
import AutofunnelStore
import Foundation
import Logging

/// `autofunnel backup FILE`: a consistent copy of the SQLite database, also while a server writes to it.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to FILE, consistently, also while the server runs (PostgreSQL: use pg_dump -Fc).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The backup file to write.") var file: String
    @Flag(help: "Replace FILE when it exists.") var force = false

    func run() async throws {
        let path = try BackupCommand.sqlitePath(database.location, file: file, restore: false)
        do {
            let copy = try await Store.backup(sqliteFile: path, to: file, replacing: force, logger: BackupCommand.logger("autofunnel.backup"))
            print("Backed up \(path) to \(file): \(BackupCommand.size(copy.bytes)), \(copy.deals) deals")
        } catch let error as BackupError {
            if case .fileExists = error { throw BackupCommand.fail("\(error); pass --force to replace it") }
            throw BackupCommand.fail("\(error)")
        }
    }
}

/// What `backup` and `restore` share: the SQLite path they work on, their refusals and their output.
enum BackupCommand {
    /// The SQLite file of `location`; for PostgreSQL or an in-memory database a refusal (exit 2) that says what to do.
    static func sqlitePath(_ location: DatabaseLocation, file: String, restore: Bool) throws -> String {
        switch location {
        case .sqliteFile(let path):
            return path
        case .sqliteMemory:
            throw fail("sqlite::memory: is a private in-memory database: there is nothing to \(restore ? "restore into" : "back up")", code: 2)
        case .postgres(let url):
            let target = quoted(withoutPassword(url))
            let howTo =
                restore
                ? """
                autofunnel restore replaces SQLite files; for PostgreSQL stop the servers, then use pg_restore and migrate:
                  pg_restore --clean --if-exists --no-owner -d \(target) \(quoted(file))
                  autofunnel migrate --database-url \(target)
                """
                : """
                autofunnel backup copies SQLite files; for PostgreSQL use pg_dump's custom format:
                  pg_dump -Fc -d \(target) -f \(quoted(file))
                """
            throw fail(howTo + "\n(pg_dump and pg_restore read the password from PGPASSWORD or ~/.pgpass)", code: 2)
        }
    }

    /// Prints `message` as an error and returns the exit code to throw.
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(code)
    }

    /// Warnings and errors only: the command prints its own result.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }

    /// `1.2 MB`, `340 kB` or `512 bytes`.
    static func size(_ bytes: Int64) -> String {
        if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1_000_000) }
        if bytes >= 1_000 { return "\(bytes / 1_000) kB" }
        return "\(bytes) bytes"
    }

    /// The URL without its password, which an example printed on the terminal must not show.
    static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "postgres://USER@HOST:5432/DATABASE" }
        components.password = nil
        return components.string ?? "postgres://USER@HOST:5432/DATABASE"
    }

    /// `text` as one shell word.
    static func quoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "._-/:@=+,".contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

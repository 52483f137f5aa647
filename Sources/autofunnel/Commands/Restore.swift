import ArgumentParser
import AutofunnelEngine
import AutofunnelStore
import Foundation

/// `autofunnel restore FILE`: replaces the SQLite database with a checked, migrated backup.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Replace the SQLite database with a backup made by autofunnel backup: checked, migrated, then moved into place. Stop the server first (PostgreSQL: use pg_restore)."
    )
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace an existing database without asking.") var yes = false

    func run() async throws {
        let path = try BackupCommand.sqlitePath(database.location, file: file, restore: true)
        let interactive = isatty(STDIN_FILENO) != 0
        do {
            let restored = try await Store.restore(
                from: file, to: path, logger: BackupCommand.logger("autofunnel.restore"), now: AppClock.system.now()
            ) { backup in
                if yes { return true }
                guard interactive else { return false }
                FileHandle.standardError.write(Data("Replace the database at \(path) with \(file) (\(backup.deals) deals)? [y/N] ".utf8))
                return ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
            }
            let migrated = restored.appliedMigrations.isEmpty ? "" : "; migrated: \(restored.appliedMigrations.joined(separator: ", "))"
            print("Restored \(file) to \(path): \(BackupCommand.size(restored.backup.bytes)), \(restored.backup.deals) deals\(migrated)")
        } catch let error as BackupError {
            if case .notConfirmed = error, !interactive {
                throw BackupCommand.fail("\(path) holds a database: pass --yes to replace it with \(file)")
            }
            throw BackupCommand.fail("\(error)")
        }
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Logging
import SQLKit
import Testing

/// `autofunnel backup` and `autofunnel restore`, run as a user runs them: their refusals leave every file as it was.
@Suite("The backup and restore commands")
struct BackupCommandTests {
    static let logger = Logger(label: "test")

    /// A folder with a database at `db.sqlite` holding three deals.
    static func folderWithDatabase() async throws -> URL {
        try #require(FileManager.default.isExecutableFile(atPath: CommandLineTests.binary.path), "build the binary first: swift build --build-tests")
        let dir = try BackupTests.folder()
        let store = try await Store.open(.sqliteFile(dir.appendingPathComponent("db.sqlite").path), logger: logger, now: Fixtures.t0)
        try await store.closing { store in
            let services = AppServices(store: store, logger: logger)
            _ = try await services.pipelines.apply(Fixtures.salesDefinition())
            for title in ["Шкаф", "Стол", "Стул"] {
                _ = try await services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: title), actor: Actor(kind: .api))
            }
        }
        return dir
    }

    /// Runs the binary against the database `db.sqlite` in `dir`, or `url`.
    static func run(_ arguments: [String], in dir: URL, url: String? = nil) throws -> CommandLineTests.Run {
        try CommandLineTests.run(arguments + ["--database-url", url ?? "sqlite:" + dir.appendingPathComponent("db.sqlite").path])
    }

    static func files(_ dir: URL) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) }

    @Test func backupRefusesAnExistingFileAndLeavesNoTemporaryFile() async throws {
        let dir = try await Self.folderWithDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("copy.sqlite").path
        let first = try Self.run(["backup", file], in: dir)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("to \(file): ") && first.output.contains(", 3 deals"), "\(first.output)")
        let written = try Data(contentsOf: URL(fileURLWithPath: file))

        let again = try Self.run(["backup", file], in: dir)
        #expect(again.status == 1)
        #expect(again.errors.contains("\(file) exists; pass --force to replace it"), "\(again.errors)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == written)

        // A folder in the way: the copy is made, then cannot take the name; its temporary file goes.
        let folder = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let blocked = try Self.run(["backup", folder.path, "--force"], in: dir)
        #expect(blocked.status == 1)
        #expect(blocked.errors.contains("cannot rename"), "\(blocked.errors)")
        #expect(try Self.files(dir) == ["db.sqlite", "copy.sqlite", "folder"])

        let forced = try Self.run(["backup", file, "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.errors)")
        #expect(try await Store.inspectBackup(at: file, logger: Self.logger).deals == 3)
        #expect(try Self.files(dir) == ["db.sqlite", "copy.sqlite", "folder"])
    }

    @Test func restoreRefusesWhatIsNotOurBackupAndReplacesNothing() async throws {
        let dir = try await Self.folderWithDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite")
        let before = try Data(contentsOf: db)
        let notes = dir.appendingPathComponent("notes.txt")
        try "shopping: milk, bread\n".write(to: notes, atomically: true, encoding: .utf8)
        // An SQLite database of someone else's: no schema_migrations.
        let foreign = dir.appendingPathComponent("foreign.sqlite")
        let backend = try await DatabaseLocation.sqliteFile(foreign.path).open(logger: Self.logger)
        try await backend.write { db in try await db.create(table: "notes").column("text", type: .text).run() }
        try await backend.close()
        // A backup of a newer autofunnel: a migration this binary does not know.
        let newer = dir.appendingPathComponent("newer.sqlite")
        #expect(try Self.run(["backup", newer.path], in: dir).status == 0)
        let newerBackend = try await DatabaseLocation.sqliteFile(newer.path).open(logger: Self.logger)
        try await newerBackend.write { db in
            try await db.insert(into: "schema_migrations").columns("id", "applied_at").values(SQLBind("999_future"), SQLBind(0)).run()
        }
        try await newerBackend.close()
        let files = try Self.files(dir)

        let refusals: [(URL, String)] = [
            (notes, "\(notes.path) is not an SQLite database"),
            (foreign, "\(foreign.path) is an SQLite database but not an Autofunnel one (it has no schema_migrations table)"),
            (newer, "\(newer.path) was written by a newer autofunnel: this binary does not know its migrations 999_future"),
            (dir.appendingPathComponent("missing.sqlite"), "no database at \(dir.appendingPathComponent("missing.sqlite").path)"),
        ]
        for (file, message) in refusals {
            let refused = try Self.run(["restore", file.path, "--yes"], in: dir)
            #expect(refused.status == 1)
            #expect(refused.errors.contains(message), "\(refused.errors)")
            #expect(try Data(contentsOf: db) == before)
            #expect(try Self.files(dir) == files)
        }

        // A good backup still needs --yes (or a terminal) to replace a database; a fresh path does not.
        let good = dir.appendingPathComponent("good.sqlite")
        #expect(try Self.run(["backup", good.path], in: dir).status == 0)
        let unconfirmed = try Self.run(["restore", good.path], in: dir)
        #expect(unconfirmed.status == 1)
        #expect(unconfirmed.errors.contains("\(db.path) holds a database: pass --yes to replace it"), "\(unconfirmed.errors)")
        #expect(try Data(contentsOf: db) == before)
        let fresh = dir.appendingPathComponent("fresh/autofunnel.sqlite")
        let restored = try Self.run(["restore", good.path], in: dir, url: "sqlite:" + fresh.path)
        #expect(restored.status == 0, "\(restored.errors)")
        #expect(restored.output.contains("to \(fresh.path): ") && restored.output.contains(", 3 deals"), "\(restored.output)")
    }

    @Test func restoreRefusesADatabaseInUse() async throws {
        let dir = try await Self.folderWithDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite")
        let good = dir.appendingPathComponent("good.sqlite")
        #expect(try Self.run(["backup", good.path], in: dir).status == 0)
        let store = try await Store.open(.sqliteFile(db.path), logger: Self.logger, now: Fixtures.t0)
        try await store.closing { store in
            #expect(await store.ping())
            let refused = try Self.run(["restore", good.path, "--yes"], in: dir)
            #expect(refused.status == 1)
            #expect(refused.errors.contains("\(db.path) is in use by another process"), "\(refused.errors)")
        }
        let replaced = try Self.run(["restore", good.path, "--yes"], in: dir)
        #expect(replaced.status == 0, "\(replaced.errors)")
    }

    @Test func postgresIsRefusedWithThePostgresTools() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CommandLineTests.binary.path), "build the binary first: swift build --build-tests")
        let dir = try BackupTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Nothing listens on port 1: the commands refuse before they connect.
        let url = "postgres://crm:s3cret@127.0.0.1:1/autofunnel"
        let backup = try Self.run(["backup", "crm.dump"], in: dir, url: url)
        #expect(backup.status == 2)
        #expect(backup.errors.contains("pg_dump -Fc -d postgres://crm@127.0.0.1:1/autofunnel -f crm.dump"), "\(backup.errors)")
        let restore = try Self.run(["restore", "crm.dump", "--yes"], in: dir, url: url)
        #expect(restore.status == 2)
        #expect(
            restore.errors.contains("pg_restore --clean --if-exists --no-owner -d postgres://crm@127.0.0.1:1/autofunnel crm.dump"),
            "\(restore.errors)")
        #expect(!(backup.errors + restore.errors).contains("s3cret"))
    }
}

import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// The embedded database: one SQLite file in WAL mode with one writer connection (transactions open with
/// `BEGIN IMMEDIATE`, so a reader never upgrades into `SQLITE_BUSY`) and a few reader connections; or a private
/// in-memory database on a single connection, for tests. The writer runs its statements in place
/// (`DirectSQLiteConnection`: a write is many short statements); readers stay on SQLiteNIO's thread pool, so a long
/// report never holds one of the few threads Swift concurrency runs on.
public final class SQLiteBackend: StoreBackend {
    public let name = "sqlite"
    private let writer: DirectSQLiteConnection
    private let writerDatabase: any SQLDatabase
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncSemaphore(permits: 1)
    private let nextReader = ReaderCounter()
    private let logger: Logger

    /// Opens (and creates) the file at `path`, or a private in-memory database when `path` is nil.
    public static func open(path: String?, readers readerCount: Int = 4, logger: Logger) async throws -> SQLiteBackend {
        let storage: SQLiteConnection.Storage = path.map { .file(path: $0) } ?? .memory
        let writer = try DirectSQLiteConnection(path: path, logger: logger)
        let writerDatabase = writer.sql(on: NIOSingletons.posixEventLoopGroup.next())
        var readers: [SQLiteConnection] = []
        do {
            try await configure(writerDatabase, wal: path != nil)
            if path != nil {
                // The writer's own page cache (16 MiB, not SQLite's 2 MiB): a batch of a thousand imported deals dirties
                // more pages than 2 MiB hold, and a spilled page is written twice. A checkpoint every 10,000 pages of
                // WAL (40 MiB), not 1,000: an index page a batch touches again is copied once, not at every commit.
                // Both measured with `bench import` (docs/PERFORMANCE.md).
                try await writerDatabase.raw("PRAGMA cache_size=-16384").run()
                try await writerDatabase.raw("PRAGMA wal_autocheckpoint=10000").run()
                for _ in 0..<readerCount {
                    let reader = try await SQLiteConnection.open(storage: storage, logger: logger)
                    readers.append(reader)
                    try await configure(reader.sql(), wal: false)
                }
            }
        } catch {
            for r in readers { try? await r.close() }
            writer.close()
            throw error
        }
        return SQLiteBackend(writer: writer, writerDatabase: writerDatabase, readers: readers, logger: logger)
    }

    private init(writer: DirectSQLiteConnection, writerDatabase: any SQLDatabase, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.writerDatabase = writerDatabase
        self.readers = readers
        self.logger = logger
    }

    private static func configure(_ db: any SQLDatabase, wal: Bool) async throws {
        if wal { try await db.raw("PRAGMA journal_mode=WAL").run() }
        // NORMAL survives application crashes in WAL mode; see ENGINEERING-NOTES for the trade-off against FULL.
        try await db.raw("PRAGMA synchronous=NORMAL").run()
        try await db.raw("PRAGMA busy_timeout=10000").run()
        try await db.raw("PRAGMA foreign_keys=ON").run()
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !readers.isEmpty else {
            // In memory there is one connection: reads queue with the writers so they never see a half-done transaction.
            await writeLock.acquire()
            do {
                let result = try await body(writerDatabase)
                await writeLock.release()
                return result
            } catch {
                await writeLock.release()
                throw error
            }
        }
        let reader = readers[await nextReader.next() % readers.count]
        return try await body(reader.sql())
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await writeLock.acquire()
        let db = writerDatabase
        do {
            try await db.raw("BEGIN IMMEDIATE").run()
        } catch {
            await writeLock.release()
            throw error
        }
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            await writeLock.release()
            return result
        } catch {
            do { try await db.raw("ROLLBACK").run() } catch { logger.error("rollback failed: \(error)") }
            await writeLock.release()
            throw error
        }
    }

    public func close() async throws {
        for r in readers { try await r.close() }
        writer.close()
    }
}

/// Spreads reads over the reader connections.
actor ReaderCounter {
    private var value = 0
    func next() -> Int {
        value &+= 1
        return value & Int.max
    }
}

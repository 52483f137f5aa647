import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection whose statements run on the calling thread. SQLiteNIO runs every statement on its thread
/// pool and resumes the caller afterwards; for the writer's many short statements those two hand-offs cost more than
/// SQLite itself (measured with `perf`, docs/PERFORMANCE.md). The same SQLite library (SQLiteNIO's), the same SQL
/// (SQLKit with SQLiteKit's dialect, encoder and decoder): only the scheduling differs.
final class DirectSQLiteConnection: @unchecked Sendable {
    // Guarded by `lock`: SQLite is built thread-safe, the lock keeps one statement at a time on this handle.
    private var handle: OpaquePointer?
    /// Prepared statements by their SQL: the writer repeats a few hundred statements, and parsing was ~5 % of a firing.
    private var prepared: [String: OpaquePointer] = [:]
    /// Past this many distinct statements (IN lists of every length) the cache starts over.
    private static let cacheLimit = 256
    private let lock = NIOLock()
    let logger: Logger

    /// Opens (and creates) the file at `path`, or a private in-memory database when `path` is nil.
    init(path: String?, logger: Logger) throws {
        var h: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let rc = sqlite_nio_sqlite3_open_v2(path ?? ":memory:", &h, flags, nil)
        guard rc == SQLITE_OK, let h else {
            let message = h.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open the database"
            if let h { sqlite_nio_sqlite3_close_v2(h) }
            throw DirectSQLiteError(code: rc, message: message)
        }
        handle = h
        self.logger = logger
    }

    deinit {
        for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
    }

    func close() {
        lock.withLock {
            for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
            prepared = [:]
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    /// The cached statement for `sql`, prepared on first use.
    private func statement(_ sql: String, _ handle: OpaquePointer) throws -> OpaquePointer {
        if let cached = prepared[sql] { return cached }
        if prepared.count >= Self.cacheLimit {
            for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
            prepared = [:]
        }
        var statement: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw Self.error(rc, handle) }
        prepared[sql] = statement
        return statement
    }

    /// Runs one statement with its binds and hands each row to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (any SQLRow) -> Void) throws {
        try lock.withLock {
            guard let handle else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try statement(sql, handle)
            // Reset after every run, also a failed one: a statement left mid-step would keep its read open.
            defer {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            for (i, bind) in binds.enumerated() {
                let rc = Self.bind(bind, at: Int32(i + 1), statement)
                guard rc == SQLITE_OK else { throw Self.error(rc, handle) }
            }
            var columns: [String]?
            while true {
                let rc = sqlite_nio_sqlite3_step(statement)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw Self.error(rc, handle) }
                let count = sqlite_nio_sqlite3_column_count(statement)
                let names =
                    columns ?? (0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" }
                columns = names
                onRow(DirectSQLiteRow(columns: names, values: (0..<count).map { Self.value(at: $0, statement) }))
            }
        }
    }

    /// Runs one statement that returns no rows once for each element of `rows`, its values bound in place, and
    /// returns the row id each run inserted when `rowIDs` is set.
    func runEach(_ sql: String, _ rows: [[SQLiteData]], rowIDs: Bool) throws -> [Int64] {
        try lock.withLock {
            guard let handle else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try statement(sql, handle)
            var ids: [Int64] = []
            if rowIDs { ids.reserveCapacity(rows.count) }
            for row in rows {
                defer { sqlite_nio_sqlite3_reset(statement) }
                for (i, bind) in row.enumerated() {
                    let rc = Self.bind(bind, at: Int32(i + 1), statement)
                    guard rc == SQLITE_OK else { throw Self.error(rc, handle) }
                }
                let rc = sqlite_nio_sqlite3_step(statement)
                guard rc == SQLITE_DONE else { throw Self.error(rc == SQLITE_ROW ? SQLITE_MISUSE : rc, handle) }
                if rowIDs { ids.append(sqlite_nio_sqlite3_last_insert_rowid(handle)) }
            }
            sqlite_nio_sqlite3_clear_bindings(statement)
            return ids
        }
    }

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLiteData, at i: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let v): sqlite_nio_sqlite3_bind_int64(statement, i, Int64(v))
        case .float(let v): sqlite_nio_sqlite3_bind_double(statement, i, v)
        case .text(let v): sqlite_nio_sqlite3_bind_text64(statement, i, v, UInt64(v.utf8.count), DirectSQLiteConnection.transient, UInt8(SQLITE_UTF8))
        case .blob(let v):
            v.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, i, $0.baseAddress, UInt64($0.count), DirectSQLiteConnection.transient)
            }
        case .null: sqlite_nio_sqlite3_bind_null(statement, i)
        }
    }

    private static func value(at i: Int32, _ statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, i)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, i))
        case SQLITE_TEXT: return sqlite_nio_sqlite3_column_text(statement, i).map { .text(String(cString: $0)) } ?? .null
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, i) { buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length)) }
            return .blob(buffer)
        default: return .null
        }
    }

    private static func error(_ code: Int32, _ handle: OpaquePointer) -> DirectSQLiteError {
        DirectSQLiteError(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// The connection as an SQLKit database.
    func sql(on eventLoop: any EventLoop) -> any SQLDatabase { DirectSQLiteDatabase(connection: self, eventLoop: eventLoop) }
}

/// An SQLite error from a direct connection: the result code and SQLite's message.
struct DirectSQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A row read by a direct connection, decoded as SQLiteKit decodes rows.
struct DirectSQLiteRow: SQLRow {
    let columns: [String]
    let values: [SQLiteData]

    var allColumns: [String] { columns }
    func contains(column: String) -> Bool { columns.contains(column) }
    func decodeNil(column: String) throws -> Bool { value(column) == .null }
    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else { throw DirectSQLiteError(code: SQLITE_RANGE, message: "no column \(column)") }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
    private func value(_ column: String) -> SQLiteData { columns.firstIndex(of: column).map { values[$0] } ?? .null }
}

/// `SQLDatabase` over a direct connection: serializes with SQLiteKit's dialect and runs the statement in place.
struct DirectSQLiteDatabase: SQLDatabase {
    let connection: DirectSQLiteConnection
    let eventLoop: any EventLoop
    var logger: Logger { connection.logger }
    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        try connection.run(sql, try binds.map { try encoder.encode($0) }, onRow)
    }
}

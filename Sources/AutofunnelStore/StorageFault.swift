import PostgresNIO
import SQLiteNIO
import Synchronization

/// Tells storage faults — the database cannot take a write or answer now: disk full, I/O errors, a read-only or
/// unreachable database — from every other error, by the error's type and code, at the store's boundary. A fault
/// becomes `StoreError.unavailable` (503 with `Retry-After`); the store remembers that writes are failing until one
/// succeeds again, and `/health` says so.
enum StorageFault {
    /// SQLite primary result codes of faults: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN.
    static let sqliteCodes: Set<Int32> = [5, 6, 7, 8, 10, 13, 14]
    /// PostgreSQL SQLSTATE classes of faults: connection exception, insufficient resources (disk full, out of
    /// memory, too many connections), operator intervention (shutdown), system error (I/O).
    static let postgresClasses: Set<String> = ["08", "53", "57", "58"]

    /// The same faults as SQLiteNIO's reasons (the readers' errors), extended codes included.
    static let sqliteReasons: Set<SQLiteError.Reason> = [
        .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked, .lockedBySharedCache, .noMemory, .readOnly, .readonlyInRecovery,
        .readonlyCantLock, .readonlyInRollback, .readonlyBackingMoved, .readonlyDirectory, .ioError, .ioErrorFailedRead,
        .ioErrorIncompleteRead, .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedDirSync, .ioErrorFailedTruncate, .ioErrorFailedStat,
        .ioErrorFailedUnlock, .ioErrorFailedReadLock, .ioErrorFailedDelete, .ioErrorNoMemory, .ioErrorFailedAccess, .ioErrorFailedLockCheck,
        .ioErrorFailedAdvisoryLock, .ioErrorFailedClose, .ioErrorFailedSharedMemOpen, .ioErrorFailedSharedMemSize, .ioErrorFailedSharedMemMap,
        .ioErrorFailedMemoryMap, .ioErrorCantFindTempdir, .full, .cantOpen, .cantOpenDirectory,
    ]

    /// Whether `error` came from the store or a database driver: a `StoreError`, or an error of SQLite (ours or
    /// SQLiteNIO's) or PostgreSQL (PostgresNIO's). By type, never by the type's name.
    static func isDatabaseError(_ error: any Error) -> Bool {
        switch error {
        case is StoreError, is DirectSQLiteError, is SQLiteError, is PSQLError, is PostgresDecodingError, is PostgresError: true
        default: false
        }
    }

    /// The fault an error is, or nil when it is not one.
    static func classify(_ error: any Error) -> StoreError? {
        switch error {
        case let e as StoreError:
            if case .unavailable = e { return e }
            return nil
        case let e as DirectSQLiteError:
            return sqliteCodes.contains(e.code & 0xFF) ? .unavailable("SQLite: \(e.message)") : nil
        case let e as SQLiteError:
            return sqliteReasons.contains(e.reason) ? .unavailable("SQLite: \(e.message)") : nil
        case let e as PSQLError:
            if let state = e.serverInfo?[.sqlState] {
                return postgresClasses.contains(String(state.prefix(2))) || state == "25006" ? .unavailable("PostgreSQL \(state)") : nil
            }
            let lost: Set<PSQLError.Code> = [.serverClosedConnection, .clientClosedConnection, .connectionError, .poolClosed, .uncleanShutdown]
            return lost.contains(e.code) ? .unavailable("PostgreSQL: \(e.code)") : nil
        default:
            return nil
        }
    }
}

/// Whether writes are failing for a storage fault, shared by the copies of a `Store`.
public final class WriteHealth: Sendable {
    private let state = Mutex<String?>(nil)

    public init() {}

    /// The fault of the last failed write, or nil when the last write (or probe) succeeded.
    public var failing: String? { state.withLock { $0 } }

    func failed(_ reason: String) { state.withLock { $0 = reason } }
    func succeeded() { state.withLock { $0 = nil } }
}

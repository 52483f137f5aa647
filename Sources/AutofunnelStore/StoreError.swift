import AutofunnelCore

/// What the store reports; the server maps each case to an HTTP status in one place.
public enum StoreError: Error, Equatable, Sendable {
    /// The record does not exist (or is deleted).
    case notFound(entity: String, id: String)
    /// A unique value is taken, e.g. a pipeline key or a user's e-mail.
    case conflict(String)
    /// The database URL could not be read.
    case badDatabaseURL(String)
    /// A fault a test asked for (see `FaultInjector`).
    case injectedFault(String)
    /// Stored data that does not decode; a bug or a hand-edited database.
    case corrupt(String)
    /// The database cannot do this now (disk full, an I/O error, read-only, the connection lost): the request may be
    /// retried later, nothing of it was written.
    case unavailable(String)

    /// Whether `error` came from the store or the database under it (SQLite, PostgreSQL), told by its type
    /// (`StorageFault.isDatabaseError`): what the server counts as a database error.
    public static func isDatabaseError(_ error: any Error) -> Bool { StorageFault.isDatabaseError(error) }
}

import AutofunnelCore
import Synchronization

/// What one write transaction has already read or written of live records (deals, contacts, companies) and of the
/// webhook endpoints, so that a rule cascade reading one deal four times asks the database once.
///
/// Every write to these tables goes through the session (`updateLive`, `softDelete`, `deleteDeal`, the endpoint
/// functions), which keeps the memo equal to what the transaction would read. A record read without a row lock is not
/// served to a locking read on PostgreSQL: that read goes to the database and refreshes the memo. Read sessions have
/// no memo (outside a transaction, two statements may see different commits).
final class SessionMemo: Sendable {
    private struct Entry: @unchecked Sendable {
        // Always a `LiveRecord` (Codable value types: Sendable); `any LiveRecord` itself is not Sendable-checked here.
        var record: any LiveRecord
        var locked: Bool
    }

    private let records = Mutex<[String: [Int64: Entry]]>([:])
    private let endpointList = Mutex<[WebhookEndpoint]?>(nil)
    private let userList = Mutex<[Int64: User]>([:])
    /// Whether a plain read may stand in for a locking one: true on SQLite, whose writer holds the whole database.
    let readsAreLocked: Bool

    init(readsAreLocked: Bool) { self.readsAreLocked = readsAreLocked }

    func record<R: LiveRecord>(_ type: R.Type, id: Int64, forUpdate: Bool) -> R? {
        records.withLock { all in
            guard let entry = all[R.table]?[id], !forUpdate || entry.locked || readsAreLocked else { return nil }
            return entry.record as? R
        }
    }

    func remember<R: LiveRecord>(_ record: R, id: Int64, locked: Bool) {
        var record = record
        record.id = id
        let entry = Entry(record: record, locked: locked)
        records.withLock { $0[R.table, default: [:]][id] = entry }
    }

    func forget(table: String, id: Int64) {
        _ = records.withLock { $0[table]?.removeValue(forKey: id) }
    }

    /// Forgets everything: a savepoint was released or rolled back, and its writes may not be what the memo holds.
    func forgetAll() {
        records.withLock { $0 = [:] }
        endpointList.withLock { $0 = nil }
        forgetUsers()
    }

    /// A user read in this transaction (users change seldom; any write to one forgets them all).
    func user(_ id: Int64) -> User? { userList.withLock { $0[id] } }
    func remember(_ user: User) { userList.withLock { $0[user.id.rawValue] = user } }
    func forgetUsers() { userList.withLock { $0 = [:] } }

    var endpoints: [WebhookEndpoint]? {
        get { endpointList.withLock { $0 } }
        set { endpointList.withLock { $0 = newValue } }
    }
}

import SQLKit

/// A row of a table whose records stay until `deleted_at` is set (deals, contacts, companies).
protocol LiveRecord: Codable, Sendable {
    static var table: String { get }
    /// The entity name used in "not found" errors.
    static var entity: String { get }
    static var columns: [String] { get }
    var id: Int64? { get set }
}

extension StoreSession {
    /// The live record with this id; `notFound` when it does not exist or is deleted.
    func liveRecord<R: LiveRecord>(_ type: R.Type, id: Int64, forUpdate: Bool = false) async throws -> R {
        if let known = memo?.record(R.self, id: id, forUpdate: forUpdate) { return known }
        var query: SQLQueryString = "SELECT \(SQLNames(R.columns)) FROM \(SQLNames(R.table)) WHERE id = \(bind: id) AND deleted_at IS NULL"
        if forUpdate { query += " \(SQLLockingClause.update)" }
        guard let record = try await db.raw(query).first(decoding: R.self) else { throw StoreError.notFound(entity: R.entity, id: String(id)) }
        memo?.remember(record, id: id, locked: forUpdate)
        return record
    }

    /// A page of live records ordered by id, after the cursor, narrowed by `filter`.
    func livePage<R: LiveRecord>(
        _ type: R.Type, after: Int64?, limit: Int, filter: (SQLSelectBuilder) -> Void = { _ in }
    ) async throws -> (records: ArraySlice<R>, nextAfter: Int64?) {
        let query = db.select().column(SQLNames(R.columns)).from(R.table).where("deleted_at", .is, SQLLiteral.null)
        filter(query)
        if let after { query.where("id", .greaterThan, after) }
        let records = try await query.orderBy("id").limit(limit + 1).all(decoding: R.self)
        let page = records.prefix(limit)
        return (page, records.count > limit ? page.last?.id : nil)
    }

    /// The records with these ids, keyed by id, in one query; `liveOnly` leaves deleted ones out. Unknown ids are absent.
    func records<R: LiveRecord>(_ type: R.Type, ids: [Int64], liveOnly: Bool) async throws -> [Int64: R] {
        guard !ids.isEmpty else { return [:] }
        let query = db.select().column(SQLNames(R.columns)).from(R.table).where("id", .in, ids)
        if liveOnly { query.where("deleted_at", .is, SQLLiteral.null) }
        var out: [Int64: R] = [:]
        for record in try await query.all(decoding: R.self) {
            if let id = record.id { out[id] = record }
        }
        return out
    }

    /// Inserts a record (its id left to the database) and returns the new id.
    func insertLive<R: LiveRecord>(_ record: R) async throws -> Int64 {
        var record = record
        record.id = nil
        return try await insertReturningID(R.table, record)
    }

    /// Writes every column of a record but its id, and `column` to the SQL expression `value` when given (a column
    /// the record does not carry); `notFound` when the record does not exist or is deleted.
    func updateLive<R: LiveRecord>(_ record: R, id: Int64, also column: String? = nil, to value: (any SQLExpression)? = nil) async throws {
        memo?.forget(table: R.table, id: id)
        var written = record
        written.id = nil
        var assignments = try SQLQueryEncoder(nilEncodingStrategy: .asNil).encode(written).map {
            SQLColumnAssignment(setting: SQLNames($0.0), to: $0.1)
        }
        if let column, let value { assignments.append(SQLColumnAssignment(setting: SQLNames(column), to: value)) }
        let updated = try await db.raw(
            "UPDATE \(SQLNames(R.table)) SET \(SQLList(assignments)) WHERE id = \(bind: id) AND deleted_at IS NULL RETURNING id"
        ).first()
        guard updated != nil else { throw StoreError.notFound(entity: R.entity, id: String(id)) }
        // The row now holds exactly these values (text and integer columns), locked by the update.
        memo?.remember(record, id: id, locked: true)
    }
}

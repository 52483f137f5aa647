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
        let query = db.select().columns(R.columns.map { SQLColumn($0) }).from(R.table).where("id", .equal, id).where(
            "deleted_at", .is, SQLLiteral.null)
        if forUpdate { query.for(.update) }
        guard let record = try await query.first(decoding: R.self) else { throw StoreError.notFound(entity: R.entity, id: String(id)) }
        return record
    }

    /// A page of live records ordered by id, after the cursor, narrowed by `filter`.
    func livePage<R: LiveRecord>(
        _ type: R.Type, after: Int64?, limit: Int, filter: (SQLSelectBuilder) -> Void = { _ in }
    ) async throws -> (records: ArraySlice<R>, nextAfter: Int64?) {
        let query = db.select().columns(R.columns.map { SQLColumn($0) }).from(R.table).where("deleted_at", .is, SQLLiteral.null)
        filter(query)
        if let after { query.where("id", .greaterThan, after) }
        let records = try await query.orderBy("id").limit(limit + 1).all(decoding: R.self)
        let page = records.prefix(limit)
        return (page, records.count > limit ? page.last?.id : nil)
    }

    /// Inserts a record (its id left to the database) and returns the new id.
    func insertLive<R: LiveRecord>(_ record: R) async throws -> Int64 {
        var record = record
        record.id = nil
        return try await insertReturningID(R.table, record)
    }

    /// Writes every column of a record but its id.
    func updateLive<R: LiveRecord>(_ record: R, id: Int64) async throws {
        var record = record
        record.id = nil
        try await db.update(R.table).set(model: record, nilEncodingStrategy: .asNil).where("id", .equal, id).run()
    }
}

import SQLKit
import Synchronization

extension StoreSession {
    /// Inserts `rows` (each a value per column of `columns`) into `table` and returns the new rows' `id`s in the order
    /// of `rows` when `returningIDs` is set. With `ignoringConflictsWith`, a row whose key is taken is skipped.
    ///
    /// The statement is the same on every database; how it runs differs. On the embedded SQLite writer its text is
    /// built once for each shape and its values are bound directly, `rowsPerStatement` rows a run (by default one: no
    /// statement journal for a multi-row statement); on PostgreSQL one statement carries many rows, since a round
    /// trip costs more there than building the statement.
    func insertRows(
        into table: String, columns: [String], rows: [[SQLValue]], ignoringConflictsWith conflict: [String]? = nil,
        returningIDs: Bool = false, rowsPerStatement: Int = 1
    ) async throws -> [Int64] {
        precondition(rows.allSatisfy { $0.count == columns.count }, "a value for every column")
        precondition(conflict == nil || !returningIDs, "a skipped row has no id to return")
        guard !rows.isEmpty else { return [] }
        if let direct = db as? DirectSQLiteDatabase, rowsPerStatement > 1 {
            // A table with a full-text index flushes it at every statement (FTS5 keeps its pending terms only within
            // one): such a table takes many rows a statement here too, their values still bound directly.
            let per = max(1, min(rowsPerStatement, 30_000 / max(1, columns.count)))
            var ids: [Int64] = []
            for start in stride(from: 0, to: rows.count, by: per) {
                let chunk = rows[start..<min(start + per, rows.count)]
                let sql = Self.sqliteText(table, columns, count: chunk.count, conflict: conflict, returningIDs: returningIDs, db)
                var returned: [Int64] = []
                try direct.connection.run(sql, chunk.flatMap { $0.map(\.sqlite) }) { row in
                    if let id = try? row.decode(column: "id", as: Int64.self) { returned.append(id) }
                }
                // Sorted for the reason the PostgreSQL path sorts (below).
                ids += returned.sorted()
            }
            return ids
        }
        if let direct = db as? DirectSQLiteDatabase {
            let sql = Self.sqliteText(table, columns, count: 1, conflict: conflict, returningIDs: false, db)
            return try direct.connection.runEach(sql, rows.map { $0.map(\.sqlite) }, rowIDs: returningIDs)
        }
        var ids: [Int64] = []
        // Under PostgreSQL's limit of 65,535 binds a statement.
        let chunk = max(1, min(1000, 60_000 / max(1, columns.count)))
        for start in stride(from: 0, to: rows.count, by: chunk) {
            let insert = Self.statement(
                db, into: table, columns: columns, rows: Array(rows[start..<min(start + chunk, rows.count)]), conflict: conflict)
            guard returningIDs else {
                try await insert.run()
                continue
            }
            // The ids of one statement come from the table's sequence in the order its rows are inserted, which is
            // the order of VALUES: sorted, they are the rows' ids in order whatever order RETURNING lists them in.
            let returned = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
            ids += returned.sorted()
        }
        return ids
    }

    /// The SQLite text of an insert of `count` rows, built once for each shape: a statement of 500 rows is 10,000
    /// binds for SQLKit to serialize.
    private static func sqliteText(
        _ table: String, _ columns: [String], count: Int, conflict: [String]?, returningIDs: Bool, _ db: any SQLDatabase
    ) -> String {
        let key = "\(table)|\(columns.joined(separator: ","))|\(count)|\(conflict?.joined(separator: ",") ?? "-")|\(returningIDs)"
        if let known = insertTexts.withLock({ $0[key] }) { return known }
        // Rows of placeholders: a NULL in the first row must not become a literal for all of them.
        let placeholders = [SQLValue](repeating: .integer(0), count: columns.count)
        let insert = statement(db, into: table, columns: columns, rows: Array(repeating: placeholders, count: count), conflict: conflict)
        if returningIDs { _ = insert.returning("id") }
        let sql = db.serialize(insert.query).sql
        insertTexts.withLock { texts in
            if texts.count >= 64 { texts.removeAll() }
            texts[key] = sql
        }
        return sql
    }

    private static let insertTexts = Mutex<[String: String]>([:])

    private static func statement(
        _ db: any SQLDatabase, into table: String, columns: [String], rows: [[SQLValue]], conflict: [String]?
    ) -> SQLInsertBuilder {
        let insert = db.insert(into: table).columns(columns)
        for row in rows { insert.values(row.map(\.expression)) }
        if let conflict { insert.ignoringConflicts(with: conflict) }
        return insert
    }
}

import SQLKit

/// A comma-separated list of column (or table) names. A plain name (ASCII letters, digits and underscores: nothing a
/// quote could clash with) is written between the dialect's quotes directly; any other name goes through
/// `SQLIdentifier`, which escapes it. SQLKit's escaping pass over every identifier was a sixth of a timer firing
/// (docs/PERFORMANCE.md), and the store's record columns are all plain.
struct SQLNames: SQLExpression {
    let names: [String]

    init(_ names: [String]) { self.names = names }
    init(_ names: String...) { self.names = names }

    func serialize(to serializer: inout SQLSerializer) {
        let quote = (serializer.dialect.identifierQuote as? SQLRaw)?.sql
        for (i, name) in names.enumerated() {
            if i > 0 { serializer.write(", ") }
            if let quote, Self.isPlain(name) {
                serializer.write(quote)
                serializer.write(name)
                serializer.write(quote)
            } else {
                SQLIdentifier(name).serialize(to: &serializer)
            }
        }
    }

    static func isPlain(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { c in
                (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                    || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
            }
    }
}

extension StoreSession {
    /// `INSERT INTO table (columns) VALUES (binds)` for an encoded record (nil properties left out), as text a caller
    /// may extend with `RETURNING`. Assembled directly: for the writer's short statements SQLKit's statement builder
    /// cost more than SQLite took to run them.
    func insertStatement(into table: String, _ model: some Encodable & Sendable) throws -> SQLQueryString {
        let pairs = try SQLQueryEncoder().encode(model)
        return "INSERT INTO \(SQLNames(table)) (\(SQLNames(pairs.map(\.0)))) VALUES (\(SQLList(pairs.map(\.1))))"
    }

    /// `INSERT INTO table (columns) VALUES (…), (…)`: one row of binds per element of `rows`.
    func insertStatement(into table: String, columns: SQLNames, rows: [[any Encodable & Sendable]]) -> SQLQueryString {
        let values = SQLList(rows.map { row in SQLGroupExpression(row.map { SQLBind($0) }) })
        return "INSERT INTO \(SQLNames(table)) (\(columns)) VALUES \(values)"
    }
}

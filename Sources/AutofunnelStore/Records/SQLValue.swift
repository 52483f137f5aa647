import SQLKit
import SQLiteNIO

/// A value for one column of a bulk insert, typed without going through `Encodable`: SQLKit's encoders ask the
/// runtime for protocol conformances on every value, which was a sixth of an import's writing (docs/PERFORMANCE.md).
enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case real(Double)
    case null

    init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }

    /// The value as SQLite binds it.
    var sqlite: SQLiteData {
        switch self {
        case .integer(let v): .integer(Int(v))
        case .text(let v): .text(v)
        case .real(let v): .float(v)
        case .null: .null
        }
    }

    /// The value as an SQLKit expression, for the other databases.
    var expression: any SQLExpression {
        switch self {
        case .integer(let v): SQLBind(v)
        case .text(let v): SQLBind(v)
        case .real(let v): SQLBind(v)
        case .null: SQLLiteral.null
        }
    }
}

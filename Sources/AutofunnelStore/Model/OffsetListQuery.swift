import AutofunnelCore
import SQLKit

/// An offset list query, as the Bitrix24 and amoCRM dialects page: comparisons on whitelisted columns, offset paging
/// and a total.
public struct OffsetListQuery: Sendable {
    /// A comparison a Bitrix24 filter key makes (`>ID`, `=STAGE_ID`, `!CLOSED`, `@ID`, `%TITLE`).
    public enum Comparison: Sendable {
        case equal, notEqual, greater, greaterOrEqual, less, lessOrEqual, contains, oneOf
    }

    /// A value compared with a column.
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case text(String)
    }

    /// One condition on a column of the listed table.
    public struct Condition: Sendable {
        public var column: String
        public var comparison: Comparison
        public var values: [Value]
        public init(column: String, comparison: Comparison, values: [Value]) {
            self.column = column
            self.comparison = comparison
            self.values = values
        }
    }

    /// A column to order by before the id; `column` must be one of the table's order columns, else it is ignored.
    public struct Order: Sendable, Equatable {
        public var column: String
        public var descending: Bool
        public init(column: String, descending: Bool) {
            self.column = column
            self.descending = descending
        }
    }

    public var conditions: [Condition]
    /// Deals only: what the caller may see.
    public var scope: DealScope?
    /// Columns ordered by first; the id always comes last, so pages never overlap.
    public var order: [Order]
    /// The direction of the id.
    public var descending: Bool
    public var offset: Int
    public var limit: Int
    /// Whether to count every matching row (Bitrix24's `total`); `start=-1` skips it.
    public var counts: Bool

    public init(
        conditions: [Condition] = [], scope: DealScope? = nil, order: [Order] = [], descending: Bool = false, offset: Int = 0, limit: Int = 50,
        counts: Bool = true
    ) {
        self.conditions = conditions
        self.scope = scope
        self.order = order
        self.descending = descending
        self.offset = offset
        self.limit = limit
        self.counts = counts
    }

    /// The columns a condition may name, per table: anything else is never put into SQL.
    public static let dealColumns: Set<String> = [
        "id", "pipeline_key", "stage_key", "status", "title", "source", "responsible_id", "contact_id", "company_id", "created_at", "updated_at",
        "amount", "closed_at",
    ]
    /// Contact columns a condition may name.
    public static let contactColumns: Set<String> = ["id", "name", "company_id", "created_at", "updated_at"]
    /// Deal columns a list may be ordered by.
    public static let dealOrderColumns: Set<String> = dealColumns.union(["stage_entered_at"])
}

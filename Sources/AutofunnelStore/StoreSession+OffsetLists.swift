import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Live deals matching an offset query, in its order then by id, with the count of all matches when asked.
    public func offsetDeals(_ query: OffsetListQuery) async throws -> (items: [Deal], total: Int?) {
        let (records, total) = try await offsetList(
            DealRecord.self, query, columns: OffsetListQuery.dealColumns, orderColumns: OffsetListQuery.dealOrderColumns
        ) { q in
            if let scope = query.scope { Self.restrict(q, to: scope) }
        }
        return (try records.map { try $0.deal() }, total)
    }

    /// Live contacts matching an offset query, in its order then by id, with the count of all matches when asked.
    public func offsetContacts(_ query: OffsetListQuery) async throws -> (items: [Contact], total: Int?) {
        let (records, total) = try await offsetList(
            ContactRecord.self, query, columns: OffsetListQuery.contactColumns, orderColumns: OffsetListQuery.contactColumns
        ) { _ in }
        return (try records.map { try $0.contact() }, total)
    }

    private func offsetList<R: LiveRecord>(
        _ type: R.Type, _ query: OffsetListQuery, columns: Set<String>, orderColumns: Set<String>, extra: (SQLSelectBuilder) -> Void
    ) async throws -> ([R], Int?) {
        func narrowed(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            q.where("deleted_at", .is, SQLLiteral.null)
            for c in query.conditions where columns.contains(c.column) { Self.apply(c, to: q) }
            extra(q)
            return q
        }
        let select = narrowed(db.select().column(SQLNames(R.columns)).from(R.table))
        for o in query.order where orderColumns.contains(o.column) {
            // NULLs sort first ascending and last descending on both databases (PostgreSQL's default is the opposite).
            let direction: SQLDirection = o.descending ? .descending : .ascending
            select.orderBy(SQLRaw("CASE WHEN \(o.column) IS NULL THEN 0 ELSE 1 END"), direction)
            select.orderBy(o.column, direction)
        }
        let rows = try await select.orderBy("id", query.descending ? .descending : .ascending).limit(query.limit).offset(query.offset)
            .all(decoding: R.self)
        guard query.counts else { return (rows, nil) }
        let count = try await narrowed(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(R.table)).first()?
            .decode(column: "n", as: Int.self)
        return (rows, count ?? 0)
    }

    private static func apply(_ c: OffsetListQuery.Condition, to q: SQLSelectBuilder) {
        let binds: [any Encodable & Sendable] = c.values.map { v -> any Encodable & Sendable in
            switch v {
            case .int(let i): i
            case .text(let t): t
            }
        }
        guard let first = binds.first else {
            // An empty `@` list matches nothing; other empty comparisons are ignored.
            if c.comparison == .oneOf { q.where(SQLBinaryExpression(SQLLiteral.numeric("1"), .equal, SQLLiteral.numeric("0"))) }
            return
        }
        let op: SQLBinaryOperator
        switch c.comparison {
        case .equal where binds.count > 1, .oneOf:
            q.where(SQLColumn(c.column), .in, SQLGroupExpression(binds.map { SQLBind($0) }))
            return
        case .notEqual where binds.count > 1:
            q.where(SQLColumn(c.column), .notIn, SQLGroupExpression(binds.map { SQLBind($0) }))
            return
        case .contains:
            // Spelled as the board's search does it: LIKE folds case only for ASCII on SQLite and not at all on PostgreSQL.
            let text = c.values.compactMap { if case .text(let t) = $0 { t } else { nil } }.first ?? "\(first)"
            q.where { g in
                for spelling in Self.spellings(of: text) {
                    g.orWhere(SQLQueryString("\(ident: c.column) LIKE \(bind: "%" + Self.escapeLike(spelling) + "%") ESCAPE '!'"))
                }
                return g
            }
            return
        case .equal: op = .equal
        case .notEqual: op = .notEqual
        case .greater: op = .greaterThan
        case .greaterOrEqual: op = .greaterThanOrEqual
        case .less: op = .lessThan
        case .lessOrEqual: op = .lessThanOrEqual
        }
        q.where(SQLColumn(c.column), op, SQLBind(first))
    }
}

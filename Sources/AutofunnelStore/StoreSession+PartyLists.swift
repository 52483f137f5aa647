import AutofunnelCore
import SQLKit

/// The lists of the contacts and companies pages: search, filters, order and numbered pages over live rows.
extension StoreSession {
    /// Live contacts matching `query`, in its order then by id, with the count of every match.
    public func contactList(_ query: PartyListQuery) async throws -> (items: [Contact], total: Int) {
        let (records, total) = try await partyList(ContactRecord.self, query, link: "contact_id", tagged: .contact) { q in
            if let text = query.text?.trimmed, !text.isEmpty {
                q.where { g in
                    Self.nameMatches(text, in: g)
                    g.orWhere(SQLQueryString("emails LIKE \(bind: "%" + Self.escapeLike(text.lowercased()) + "%") ESCAPE '!'"))
                    if let digits = Self.phoneDigits(text) {
                        g.orWhere(SQLQueryString("phones LIKE \(bind: "%" + digits + "%")"))
                    }
                    return g
                }
            }
            if let segment = query.segment { q.where("segment", .equal, segment) }
        }
        return (try records.map { try $0.contact() }, total)
    }

    /// Live companies matching `query` (the text finds a name), in its order then by id, with the count of every match.
    public func companyList(_ query: PartyListQuery) async throws -> (items: [Company], total: Int) {
        let (records, total) = try await partyList(CompanyRecord.self, query, link: "company_id", tagged: .company) { q in
            if let text = query.text?.trimmed, !text.isEmpty {
                q.where { g in
                    Self.nameMatches(text, in: g)
                    return g
                }
            }
            if let segment = query.segment {
                q.where(
                    SQLColumn("id"), .in,
                    SQLSubquery.select { s in
                        s.column("company_id").from(ContactRecord.table).where("segment", .equal, segment)
                            .where("deleted_at", .is, SQLLiteral.null).where("company_id", .isNot, SQLLiteral.null)
                    })
            }
        }
        return (try records.map { try $0.company() }, total)
    }

    /// The live deals (at most `limit`, newest first) that link to this contact or company and that `scope` lets a
    /// caller see.
    public func deals(of table: PartyTable, id: Int64, scope: DealScope?, limit: Int) async throws -> [Deal] {
        let q = db.select().column(SQLNames(DealRecord.columns)).from(DealRecord.table).where(table.dealColumn, .equal, id)
            .where("deleted_at", .is, SQLLiteral.null)
        if let scope { Self.restrict(q, to: scope) }
        return try await q.orderBy("id", .descending).limit(max(1, limit)).all(decoding: DealRecord.self).map { try $0.deal() }
    }

    private func partyList<R: LiveRecord>(
        _ type: R.Type, _ query: PartyListQuery, link: String, tagged kind: TagKind, narrow: (SQLSelectBuilder) -> Void
    ) async throws -> ([R], Int) {
        func narrowed(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            q.where("deleted_at", .is, SQLLiteral.null)
            narrow(q)
            if let from = query.createdFrom { q.where("created_at", .greaterThanOrEqual, from.millis) }
            if let before = query.createdBefore { q.where("created_at", .lessThan, before.millis) }
            if let tag = query.tag { q.where(SQLColumn("id"), .in, Self.carrying(kind, tag)) }
            if let responsible = query.responsible {
                q.where(SQLColumn("id"), .in, linkedDeals(link, scope: query.scope) { $0.where("responsible_id", .equal, responsible.rawValue) })
            }
            if let open = query.openDeals {
                // NOT IN over a list holding NULL matches nothing: `linkedDeals` leaves deals without a link out.
                let deals = linkedDeals(link, scope: query.scope) { $0.where("status", .equal, DealStatus.open.rawValue) }
                q.where(SQLColumn("id"), open ? .in : .notIn, deals)
            }
            return q
        }
        let select = narrowed(db.select().column(SQLNames(R.columns)).from(R.table))
        let direction: SQLDirection = query.descending ? .descending : .ascending
        let rows = try await select.orderBy(query.order.column, direction).orderBy("id", direction).limit(max(1, query.limit))
            .offset(max(0, query.offset)).all(decoding: R.self)
        let count = try await narrowed(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(R.table)).first()?
            .decode(column: "n", as: Int.self)
        return (rows, count ?? 0)
    }

    /// The ids `link` names in live deals that `scope` lets a caller see and `narrow` keeps.
    private func linkedDeals(_ link: String, scope: DealScope?, narrow: @escaping (any SQLSubqueryClauseBuilder) -> Void) -> some SQLExpression {
        SQLSubquery.select { s in
            s.column(link).from(DealRecord.table).where("deleted_at", .is, SQLLiteral.null).where(link, .isNot, SQLLiteral.null)
            narrow(s)
            if let scope { Self.restrict(s, to: scope) }
            return s
        }
    }

    /// The name contains `text` in one of its usual spellings (see the board's search).
    static func nameMatches(_ text: String, in g: SQLPredicateGroupBuilder) {
        for spelling in spellings(of: text) {
            g.orWhere(SQLQueryString("name LIKE \(bind: "%" + escapeLike(spelling) + "%") ESCAPE '!'"))
        }
    }

    /// The digits a phone search looks for: those typed (three or more), the last ten of a longer number so that a
    /// national prefix (`8 912…` for `+7 912…`) does not matter; nil when the text has fewer than three digits or
    /// letters beside them.
    static func phoneDigits(_ text: String) -> String? {
        guard text.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-().".contains($0) }) else { return nil }
        let digits = text.filter { $0.isASCII && $0.isNumber }
        guard digits.count >= 3 else { return nil }
        return digits.count > 10 ? String(digits.suffix(10)) : digits
    }
}

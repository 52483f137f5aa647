import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The most this API returns of one kind.
    public static let searchLimit = 50

    /// Deals by title, contacts by name (and phones and e-mails when the scope allows), companies by name (and tax id
    /// when it allows), and records of each kind carrying the query as a tag, newest first, at most `limit` of each
    /// kind (1…50).
    ///
    /// Tags are matched exactly, through their own index rather than the text index: a tag is a word from a shared
    /// list, so «vip» should not find «vipnet», and a tag put on or taken off a record need not rewrite its row and
    /// its trigrams.
    public func search(_ terms: SearchTerms, scope: SearchScope, limit: Int) async throws -> SearchResults {
        let limit = min(max(limit, 1), Self.searchLimit)
        let deals = Self.newest(
            try await searchDeals(terms, scope: scope.deals, limit: limit + 1), try await taggedDeals(terms, scope: scope.deals, limit: limit + 1),
            id: \.id.rawValue)
        let contactColumns = scope.contactDetails ? SearchIndex.contacts.columns : ["search_name"]
        let contacts = Self.newest(
            try await searchRows(ContactRecord.self, .contacts, terms, in: contactColumns, limit: limit + 1).map { try $0.contact() },
            try await taggedRows(ContactRecord.self, .contact, terms, limit: limit + 1).map { try $0.contact() }, id: \.id.rawValue)
        let companyColumns = scope.companyDetails ? SearchIndex.companies.columns : ["search_name"]
        let companies = Self.newest(
            try await searchRows(CompanyRecord.self, .companies, terms, in: companyColumns, limit: limit + 1).map { try $0.company() },
            try await taggedRows(CompanyRecord.self, .company, terms, limit: limit + 1).map { try $0.company() }, id: \.id.rawValue)
        return SearchResults(
            deals: Array(deals.prefix(limit)), contacts: Array(contacts.prefix(limit)), companies: Array(companies.prefix(limit)),
            moreDeals: deals.count > limit, moreContacts: contacts.count > limit, moreCompanies: companies.count > limit)
    }

    /// Matching deals the scope allows, newest first.
    func searchDeals(_ terms: SearchTerms, scope: DealScope, limit: Int) async throws -> [Deal] {
        let q = db.select().column(SQLNames(DealRecord.columns))
        source(q, .deals, terms, in: SearchIndex.deals.columns)
        Self.restrict(q, to: scope)
        return try await q.limit(limit).all(decoding: DealRecord.self).map { try $0.deal() }
    }

    /// Live deals carrying the query as a tag that the scope allows, newest first.
    func taggedDeals(_ terms: SearchTerms, scope: DealScope, limit: Int) async throws -> [Deal] {
        guard let key = terms.tagKey else { return [] }
        let q = db.select().column(SQLNames(DealRecord.columns)).from(DealRecord.table).where("deleted_at", .is, SQLLiteral.null)
            .where(SQLColumn("id"), .in, Self.carrying(.deal, key))
        Self.restrict(q, to: scope)
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: DealRecord.self).map { try $0.deal() }
    }

    /// Live contacts or companies carrying the query as a tag, newest first.
    func taggedRows<R: LiveRecord>(_ type: R.Type, _ kind: TagKind, _ terms: SearchTerms, limit: Int) async throws -> [R] {
        guard let key = terms.tagKey else { return [] }
        return try await db.select().column(SQLNames(R.columns)).from(R.table).where("deleted_at", .is, SQLLiteral.null)
            .where(SQLColumn("id"), .in, Self.carrying(kind, key)).orderBy("id", .descending).limit(limit).all(decoding: R.self)
    }

    /// Two lists each newest first, merged newest first without repeats.
    static func newest<T>(_ a: [T], _ b: [T], id: (T) -> Int64) -> [T] {
        guard !b.isEmpty else { return a }
        var seen: Set<Int64> = []
        return (a + b).sorted { id($0) > id($1) }.filter { seen.insert(id($0)).inserted }
    }

    /// Matching live contacts or companies, newest first.
    func searchRows<R: LiveRecord>(
        _ type: R.Type, _ index: SearchIndex, _ terms: SearchTerms, in columns: [String], limit: Int
    ) async throws -> [R] {
        let q = db.select().column(SQLRaw(R.columns.map { "\(index.table).\($0)" }.joined(separator: ", ")))
        source(q, index, terms, in: columns)
        return try await q.limit(limit).all(decoding: R.self)
    }

    /// The live rows of the index's table that match, newest first. On SQLite the FTS5 table drives the query in
    /// descending rowid order, so a common word stops after `limit` rows that pass the other conditions instead of
    /// reading every match; PostgreSQL's planner uses the trigram indexes for the `LIKE` conditions.
    private func source(_ q: SQLSelectBuilder, _ index: SearchIndex, _ terms: SearchTerms, in columns: [String]) {
        if db.dialect.name == "sqlite" && terms.usesIndex {
            q.from(index.fts).join(index.table, on: SQLRaw("\(index.table).id = \(index.fts).rowid"))
                .where(SQLQueryString("\(ident: index.fts) MATCH \(bind: index.match(terms, in: columns))"))
                .orderBy(SQLRaw("\(index.fts).rowid"), SQLDirection.descending)
        } else {
            q.from(index.table).orderBy(SQLRaw("\(index.table).id"), SQLDirection.descending)
        }
        q.where(SQLRaw("\(index.table).deleted_at IS NULL")).where(index.condition(terms, in: columns))
    }
}

extension StoreSession {
    /// Refreshes the planner's statistics (`ANALYZE`) after a bulk load: PostgreSQL picks the trigram indexes only once
    /// it knows the table is large, which its autovacuum would otherwise learn some time later (benchmarks).
    public func analyze() async throws { try await db.raw("ANALYZE").run() }
}

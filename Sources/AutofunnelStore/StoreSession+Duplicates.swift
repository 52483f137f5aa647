import AutofunnelCore
import SQLKit

/// The queries of the duplicate check and of the duplicates page. Both compare the words the search index holds
/// (`SearchText.contactKeys`, `SearchText.companyKeys`): phones as digits (with the other Russian trunk prefix), e-mails
/// and tax ids folded, so a duplicate is what search would find, on either database.
extension StoreSession {
    /// The live contacts, lowest id first and at most `limit`, whose indexed details hold one of `keys` as a whole word.
    public func contacts(sharing keys: [String], limit: Int) async throws -> [Contact] {
        try await sharing(ContactRecord.self, .contacts, keys, limit: limit).map { try $0.contact() }
    }

    /// The live companies, lowest id first and at most `limit`, whose indexed tax id holds one of `keys` as a whole word.
    public func companies(sharing keys: [String], limit: Int) async throws -> [Company] {
        try await sharing(CompanyRecord.self, .companies, keys, limit: limit).map { try $0.company() }
    }

    /// The index narrows to rows holding a key as a substring (FTS5 trigrams on SQLite, `pg_trgm` on PostgreSQL); the
    /// padded `LIKE` keeps the whole words.
    private func sharing<R: LiveRecord>(_ type: R.Type, _ index: SearchIndex, _ keys: [String], limit: Int) async throws -> [R] {
        var found: [Int64: R] = [:]
        var seen: Set<String> = []
        for key in keys where seen.insert(key).inserted {
            guard let terms = SearchTerms(key) else { continue }
            let word = "% " + Self.escapeLike(key) + " %"
            let indexed: SQLQueryString = "id IN (\(index.matchingIDs(terms, in: ["search_more"], db)))"
            let whole: SQLQueryString = "(' ' || search_more || ' ') LIKE \(bind: word) ESCAPE '!'"
            let rows = try await db.select().column(SQLNames(R.columns)).from(R.table).where(SQLRaw("deleted_at IS NULL")).where(indexed).where(whole)
                .orderBy("id").limit(limit).all(decoding: R.self)
            for row in rows { if let id = row.id { found[id] = row } }
        }
        return found.keys.sorted().prefix(limit).compactMap { found[$0] }
    }

    /// Pairs of live contacts sharing a phone or an e-mail, or with the same folded name at the same company; at most
    /// `limit`, newest duplicate first. Every contact is read (four short columns, a page at a time): the pairs come
    /// from grouping in memory, which both databases answer alike.
    public func contactDuplicates(limit: Int) async throws -> [DuplicatePair] {
        try await duplicatePairs("contacts", extra: "company_id", limit: limit) { more, name, company in
            var keys = more.split(separator: " ").map { word -> (String, DuplicatePair.Reason) in
                (String(word), word.contains("@") ? .email : .phone)
            }
            if let company, !name.isEmpty { keys.append(("name:\(company):" + name, .name)) }
            return keys
        }
    }

    /// Pairs of live companies with the same tax id or the same folded name; at most `limit`, newest duplicate first.
    public func companyDuplicates(limit: Int) async throws -> [DuplicatePair] {
        try await duplicatePairs("companies", extra: nil, limit: limit) { more, name, _ in
            var keys = more.split(separator: " ").filter { $0.count >= 5 }.map { ("tax:" + $0, DuplicatePair.Reason.taxID) }
            if !name.isEmpty { keys.append(("name:" + name, .name)) }
            return keys
        }
    }

    /// The most records of one group that pair up: a phone shared by hundreds of rows (an office switchboard) makes a
    /// handful of pairs, not tens of thousands.
    static let duplicateGroupLimit = 6

    private func duplicatePairs(
        _ table: String, extra: String?, limit: Int, keys: (String, String, Int64?) -> [(String, DuplicatePair.Reason)]
    ) async throws -> [DuplicatePair] {
        var groups: [String: (reason: DuplicatePair.Reason, ids: [Int64])] = [:]
        var after: Int64 = 0
        while true {
            let q = db.select().columns(["id", "search_name", "search_more"] + (extra.map { [$0] } ?? [])).from(table)
                .where("deleted_at", .is, SQLLiteral.null).where("id", .greaterThan, after).orderBy("id").limit(2000)
            let rows = try await q.all()
            guard let last = rows.last else { break }
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                let company = try extra.flatMap { try row.decode(column: $0, as: Int64?.self) }
                let found = keys(
                    try row.decode(column: "search_more", as: String.self), try row.decode(column: "search_name", as: String.self), company)
                for (key, reason) in found {
                    var group = groups[key] ?? (reason, [])
                    if group.ids.count < Self.duplicateGroupLimit && group.ids.last != id { group.ids.append(id) }
                    groups[key] = group
                }
            }
            after = try last.decode(column: "id", as: Int64.self)
        }
        var reasons: [[Int64]: Set<DuplicatePair.Reason>] = [:]
        for (_, group) in groups where group.ids.count > 1 {
            for (i, a) in group.ids.enumerated() {
                for b in group.ids[(i + 1)...] { reasons[[a, b], default: []].insert(group.reason) }
            }
        }
        let pairs = reasons.map { DuplicatePair(first: $0.key[0], second: $0.key[1], reasons: $0.value.sorted()) }
        return Array(pairs.sorted { ($0.second, $0.first) > ($1.second, $1.first) }.prefix(max(0, limit)))
    }
}

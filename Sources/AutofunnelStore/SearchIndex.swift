import AutofunnelCore
import SQLKit

/// The search index of one kind of record: its table, the folded text columns the record writes with itself, and the
/// SQL that finds rows through them — an FTS5 table of trigrams on SQLite, `pg_trgm` GIN indexes on PostgreSQL.
struct SearchIndex: Sendable {
    let table: String
    /// The FTS5 table over `columns` (SQLite).
    let fts: String
    let columns: [String]

    static let deals = SearchIndex(table: "deals", fts: "deals_search", columns: ["search_text"])
    /// `search_name` is the name; `search_more` the e-mails and phone digits, which some roles may not search by.
    static let contacts = SearchIndex(table: "contacts", fts: "contacts_search", columns: ["search_name", "search_more"])
    /// `search_more` is the tax id, a field some roles may not see.
    static let companies = SearchIndex(table: "companies", fts: "companies_search", columns: ["search_name", "search_more"])
    static let all = [deals, contacts, companies]

    /// The ids of this table's live rows where every word of one of the query's alternatives occurs in one of
    /// `columns`: a subquery for `id IN (…)`.
    func matchingIDs(_ terms: SearchTerms, in columns: [String], _ db: any SQLDatabase) -> SQLQueryString {
        let exact = condition(terms, in: columns)
        if db.dialect.name == "sqlite" && terms.usesIndex {
            return """
                SELECT \(ident: fts).rowid FROM \(ident: fts) JOIN \(ident: table) ON \(ident: table).id = \(ident: fts).rowid \
                WHERE \(ident: fts) MATCH \(bind: match(terms, in: columns)) AND \(ident: table).deleted_at IS NULL AND \(exact)
                """
        }
        return "SELECT id FROM \(ident: table) WHERE deleted_at IS NULL AND \(exact)"
    }

    /// The exact condition on a row of `table`: every word of one alternative is a substring of one of `columns`. On
    /// PostgreSQL the trigram indexes serve it directly; on SQLite it checks what the FTS5 table found.
    func condition(_ terms: SearchTerms, in columns: [String]) -> SQLQueryString {
        let alternatives = terms.alternatives.map { words -> SQLQueryString in
            let every = words.map { word -> SQLQueryString in
                let pattern = "%" + StoreSession.escapeLike(word) + "%"
                let either = columns.map { column -> SQLQueryString in "\(ident: table).\(ident: column) LIKE \(bind: pattern) ESCAPE '!'" }
                return "(" + either.joined(separator: " OR ") + ")"
            }
            return "(" + every.joined(separator: " AND ") + ")"
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The FTS5 query that finds a superset of the matching rows: for each alternative, every trigram of its words
    /// long enough to have one, in `columns`. Each trigram is a term of its own, so the index needs no positions.
    func match(_ terms: SearchTerms, in columns: [String]) -> String {
        let alternatives = terms.alternatives.map { words -> String in
            var trigrams: [String] = []
            for word in words where SearchTerms.isIndexed(word) {
                let scalars = Array(word.unicodeScalars)
                for i in 0...(scalars.count - SearchTerms.indexedLength) {
                    var t = ""
                    t.unicodeScalars.append(contentsOf: scalars[i..<(i + SearchTerms.indexedLength)])
                    let quoted = "\"" + t.replacing("\"", with: "\"\"") + "\""
                    if !trigrams.contains(quoted) { trigrams.append(quoted) }
                }
            }
            return "(" + trigrams.joined(separator: " AND ") + ")"
        }
        let expression = alternatives.joined(separator: " OR ")
        return columns == self.columns ? expression : "{" + columns.joined(separator: " ") + "} : (" + expression + ")"
    }
}

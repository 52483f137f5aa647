import AutofunnelCore
import SQLKit

/// A row of `companies`.
struct CompanyRecord: LiveRecord {
    static let table = "companies"
    static let entity = "company"
    var id: Int64?
    var name: String
    var fields: String
    var created_at: Int64
    var updated_at: Int64

    /// Encodes every column but an unset `id`, so inserts get a new id and updates never touch it.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(name, forKey: .name)
        try c.encode(fields, forKey: .fields)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(updated_at, forKey: .updated_at)
        // Written with the company in the same statement: the search index never lags the row.
        var search = encoder.container(keyedBy: SearchColumn.self)
        try search.encode(SearchText.fold(name), forKey: .search_name)
        try search.encode(SearchText.companyDetails(fields: (try? JSONText.fields(fields)) ?? [:]), forKey: .search_more)
    }

    /// The folded text the search index reads; written, never read back.
    enum SearchColumn: String, CodingKey { case search_name, search_more }

    init(_ c: Company) {
        id = c.id.rawValue == 0 ? nil : c.id.rawValue
        name = c.name
        fields = JSONText.fields(c.fields)
        created_at = c.createdAt.millis
        updated_at = c.updatedAt.millis
    }

    func company() throws -> Company {
        Company(
            id: CompanyID(id ?? 0), name: name, fields: try JSONText.fields(fields), createdAt: Timestamp(millis: created_at),
            updatedAt: Timestamp(millis: updated_at))
    }

    static let columns = ["id", "name", "fields", "created_at", "updated_at"]
}

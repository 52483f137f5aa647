import AutofunnelCore
import SQLKit

/// A row of `contacts`.
struct ContactRecord: LiveRecord {
    static let table = "contacts"
    static let entity = "contact"
    var id: Int64?
    var name: String
    var phones: String
    var emails: String
    var company_id: Int64?
    var fields: String
    /// The `segment` field's value, kept in a column of its own so that reports can filter by it in SQL.
    var segment: String?
    var created_at: Int64
    var updated_at: Int64

    /// Encodes every column but an unset `id`, so inserts get a new id and updates never touch it.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(name, forKey: .name)
        try c.encode(phones, forKey: .phones)
        try c.encode(emails, forKey: .emails)
        // `encode`, not `encodeIfPresent`: an update writes NULL when the contact has no company (or segment) any more.
        try c.encode(company_id, forKey: .company_id)
        try c.encode(fields, forKey: .fields)
        try c.encode(segment, forKey: .segment)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(updated_at, forKey: .updated_at)
        // Written with the contact in the same statement: the search index never lags the row.
        var search = encoder.container(keyedBy: SearchColumn.self)
        try search.encode(SearchText.fold(name), forKey: .search_name)
        try search.encode(searchDetails, forKey: .search_more)
    }

    /// The folded text the search index reads; written, never read back.
    enum SearchColumn: String, CodingKey { case search_name, search_more }

    /// E-mails and phone digits, from the columns' JSON (a contact's lists are short).
    var searchDetails: String {
        let phones = (try? JSONText.decode([String].self, phones)) ?? []
        let emails = (try? JSONText.decode([String].self, emails)) ?? []
        return SearchText.contactDetails(phones: phones, emails: emails)
    }

    init(_ c: Contact) {
        id = c.id.rawValue == 0 ? nil : c.id.rawValue
        name = c.name
        phones = JSONText.encode(c.phones)
        emails = JSONText.encode(c.emails)
        company_id = c.company?.rawValue
        fields = JSONText.fields(c.fields)
        segment = Self.segment(c.fields)
        created_at = c.createdAt.millis
        updated_at = c.updatedAt.millis
    }

    /// The value of the contact field `segment` when it is text (an enum option's key, or free text).
    static func segment(_ fields: [FieldKey: JSONValue]) -> String? {
        if case .string(let value) = fields["segment"] { return value }
        return nil
    }

    func contact() throws -> Contact {
        Contact(
            id: ContactID(id ?? 0), name: name, phones: try JSONText.decode([String].self, phones),
            emails: try JSONText.decode([String].self, emails),
            company: company_id.map(CompanyID.init(rawValue:)), fields: try JSONText.fields(fields), createdAt: Timestamp(millis: created_at),
            updatedAt: Timestamp(millis: updated_at))
    }

    static let columns = ["id", "name", "phones", "emails", "company_id", "fields", "created_at", "updated_at"]
}

import AutofunnelCore
import AutofunnelStore

/// The one duplicate check, for every path that creates a contact or company (the API, the pages, the dialects,
/// imports, inbound leads): a live contact with one of the phones (compared as the search index's digits, so
/// «8 912 …» is «+7 912 …») or e-mails (case-folded), a live company with the tax id. Each caller decides what a match
/// means (refuse, answer with the existing one, attach to it); the match itself is the same everywhere.
///
/// Two creates at once may both pass the check: it is a help against typing a customer in twice, not a unique
/// constraint.
public enum DuplicateMatcher {
    /// The most existing records one answer names.
    public static let named = 5

    /// The live contacts (lowest id first) sharing a phone or e-mail with these, as they would be stored; invalid
    /// values are left to the create's own validation.
    public static func contacts(phones: [String], emails: [String], _ s: StoreSession) async throws -> [Contact] {
        let keys = SearchText.contactKeys(phones: phones.compactMap(PhoneNumber.normalize), emails: emails.compactMap(EmailAddress.normalize))
        guard !keys.isEmpty else { return [] }
        return try await s.contacts(sharing: keys, limit: named)
    }

    /// The live companies (lowest id first) with the tax id (`tax_id` or `inn`) these fields carry.
    public static func companies(fields: [FieldKey: JSONValue], _ s: StoreSession) async throws -> [Company] {
        let keys = SearchText.companyKeys(fields: fields)
        guard !keys.isEmpty else { return [] }
        return try await s.companies(sharing: keys, limit: named)
    }

    /// The first matching contact as an answer, with what it shares and the others found.
    public static func existingContact(phones: [String], emails: [String], _ s: StoreSession) async throws -> ExistingRecord? {
        let found = try await contacts(phones: phones, emails: emails, s)
        guard let first = found.first else { return nil }
        let theirs = Set(SearchText.contactKeys(phones: first.phones, emails: first.emails))
        let shared =
            emails.compactMap(EmailAddress.normalize).first { theirs.contains(SearchText.fold($0)) }
            ?? phones.compactMap(PhoneNumber.normalize).first { !theirs.isDisjoint(with: SearchText.phoneDigits($0)) } ?? ""
        return ExistingRecord(
            entity: "contact", id: first.id.rawValue, name: first.name, matched: shared, others: found.dropFirst().map(\.id.rawValue))
    }

    /// The first company with the tax id as an answer, `excluding` one (the company being created).
    public static func existingCompany(fields: [FieldKey: JSONValue], excluding: CompanyID? = nil, _ s: StoreSession) async throws -> ExistingRecord?
    {
        let found = try await companies(fields: fields, s).filter { $0.id != excluding }
        guard let first = found.first else { return nil }
        let matched = SearchText.companyKeys(fields: first.fields).first { SearchText.companyKeys(fields: fields).contains($0) } ?? ""
        return ExistingRecord(
            entity: "company", id: first.id.rawValue, name: first.name, matched: matched, others: found.dropFirst().map(\.id.rawValue))
    }
}

import AutofunnelCore
import AutofunnelStore

/// Contacts and companies: validated input, stored in one transaction.
public struct PartyService: Sendable {
    public let store: Store
    public let clock: AppClock

    /// Contact attributes as sent; nil leaves an attribute as it is.
    public struct ContactInput: Sendable {
        public var name: String?
        public var phones: [String]?
        public var emails: [String]?
        public var company: Int64?
        public var fields: [String: JSONValue]?
        /// Unlinks the contact from its company (when `company` is nil): a page's emptied company input.
        public var removesCompany = false
        public init(name: String? = nil, phones: [String]? = nil, emails: [String]? = nil, company: Int64? = nil, fields: [String: JSONValue]? = nil)
        {
            self.name = name
            self.phones = phones
            self.emails = emails
            self.company = company
            self.fields = fields
        }
    }

    public init(store: Store, clock: AppClock) {
        self.store = store
        self.clock = clock
    }

    /// Creates a contact; phones and e-mails are normalised and checked. With `refusingDuplicate` a live contact that
    /// already has one of the phones or e-mails (`DuplicateMatcher`) answers `AppError.duplicate` instead: the API and
    /// the pages ask first; the dialects answer with the existing contact (`matchingOrNewContact`), imports and inbound
    /// leads attach to it.
    public func createContact(_ input: ContactInput, refusingDuplicate: Bool = false) async throws -> Contact {
        let now = clock.now()
        return try await store.write { s in
            if refusingDuplicate, let existing = try await DuplicateMatcher.existingContact(phones: input.phones ?? [], emails: input.emails ?? [], s)
            {
                throw AppError.duplicate(existing)
            }
            return try await Self.saveContact(input, id: nil, s, now: now)
        }
    }

    /// In the caller's transaction: the first live contact sharing a phone or e-mail with `input` (unchanged), else a
    /// new one — what amoCRM's and Bitrix24's duplicate control do for a contact added through their APIs.
    public static func matchingOrNewContact(_ input: ContactInput, _ s: StoreSession, now: Timestamp) async throws -> (
        contact: Contact, created: Bool
    ) {
        if let found = try await DuplicateMatcher.contacts(phones: input.phones ?? [], emails: input.emails ?? [], s).first { return (found, false) }
        return (try await saveContact(input, id: nil, s, now: now), true)
    }

    /// Changes a contact.
    public func updateContact(_ id: ContactID, _ input: ContactInput) async throws -> Contact {
        let now = clock.now()
        return try await store.write { s in try await Self.saveContact(input, id: id, s, now: now) }
    }

    /// Creates a company. With `refusingDuplicate` a live company with the same tax id (`DuplicateMatcher`) answers
    /// `AppError.duplicate` instead.
    public func createCompany(name: String?, fields: [String: JSONValue]?, refusingDuplicate: Bool = false) async throws -> Company {
        let now = clock.now()
        return try await store.write { s in
            let company = try await Self.saveCompany(name: name, fields: fields, id: nil, s, now: now)
            // Checked on the validated fields (the tax id as stored), before the transaction commits.
            if refusingDuplicate, let existing = try await DuplicateMatcher.existingCompany(fields: company.fields, excluding: company.id, s) {
                throw AppError.duplicate(existing)
            }
            return company
        }
    }

    /// Changes a company.
    public func updateCompany(_ id: CompanyID, name: String?, fields: [String: JSONValue]?) async throws -> Company {
        let now = clock.now()
        return try await store.write { s in try await Self.saveCompany(name: name, fields: fields, id: id, s, now: now) }
    }

    /// Creates (`id` nil: a name is required) or changes a contact in the caller's transaction.
    public static func saveContact(_ input: ContactInput, id: ContactID?, _ s: StoreSession, now: Timestamp) async throws -> Contact {
        var contact = try await id.asyncMap { try await s.contact($0) } ?? Contact(id: ContactID(0), name: "", createdAt: now)
        var problems = try await apply(input, to: &contact, s)
        if id == nil && input.name == nil { problems.append(nameRequired) }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        guard id != nil else { return try await s.insertContact(contact) }
        contact.updatedAt = now
        try await s.updateContact(contact)
        return contact
    }

    /// Creates (`id` nil: a name is required) or changes a company in the caller's transaction.
    public static func saveCompany(name: String?, fields: [String: JSONValue]?, id: CompanyID?, _ s: StoreSession, now: Timestamp) async throws
        -> Company
    {
        var company = try await id.asyncMap { try await s.company($0) } ?? Company(id: CompanyID(0), name: "", createdAt: now)
        var problems = try await apply(name: name, fields: fields, to: &company, s)
        if id == nil && name == nil { problems.append(nameRequired) }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        guard id != nil else { return try await s.insertCompany(company) }
        company.updatedAt = now
        try await s.updateCompany(company)
        return company
    }

    /// Deletes a contact or company (softly: closed deals keep their link and history). Refused with 409 naming the open
    /// deals that use it, on every path (API, pages, Bitrix24 `crm.contact.delete`/`crm.company.delete`; amoCRM has no
    /// delete): such a deal could not move any more. We refuse rather than unlink because unlinking would change deals
    /// the deleter may not see or edit, and a deal whose stage needs the contact's name or phone would be stuck without
    /// anyone having chosen it; the refusal lets a person relink or close each deal. The row is locked before the
    /// check, and linking one to a deal locks it too (`DealInput`), so a deal linked concurrently is either seen here or
    /// finds it deleted.
    public func delete(_ table: PartyTable, id: Int64) async throws {
        let now = clock.now()
        try await store.write { s in
            switch table {
            case .contacts: _ = try await s.contact(ContactID(id), forUpdate: true)
            case .companies: _ = try await s.company(CompanyID(id), forUpdate: true)
            }
            let shown = 10
            let open = try await s.openDeals(using: table, id: id, limit: shown + 1)
            guard open.isEmpty else {
                let list = open.prefix(shown).map(\.description).joined(separator: ", ") + (open.count > shown ? ", …" : "")
                let what = table == .contacts ? "contact" : "company"
                let (deals, them) = open.count == 1 ? ("deal", "it") : ("deals", "them")
                throw AppError.conflict(
                    "The \(what) \(id) is used by open \(deals) \(list): close the \(deals) or link \(them) to another \(what) first")
            }
            try await s.softDelete(table, id: id, at: now)
        }
    }

    static let nameRequired = Violation(rule: .requiredField, field: "name", message: .init(ru: "Нужно имя", en: "A name is required"))

    static func checkName(_ name: String?, into problems: inout [Violation]) -> String? {
        guard let name else { return nil }
        let t = name.trimmed
        if let unstorable = UserText.unstorable(t, field: "name") {
            problems.append(unstorable)
            return nil
        }
        guard !t.isEmpty, t.count <= 300 else {
            problems.append(
                .init(rule: .invalidValue, field: "name", message: .init(ru: "Имя: от 1 до 300 символов", en: "Name must have 1 to 300 characters")))
            return nil
        }
        return t
    }

    static func apply(_ input: ContactInput, to contact: inout Contact, _ s: StoreSession) async throws -> [Violation] {
        var problems: [Violation] = []
        if let name = checkName(input.name, into: &problems) { contact.name = name }
        if let phones = input.phones {
            var normalized: [String] = []
            for (i, p) in phones.enumerated() {
                if let n = PhoneNumber.normalize(p) {
                    if !normalized.contains(n) { normalized.append(n) }
                } else {
                    problems.append(
                        .init(
                            rule: .invalidValue, field: "phones[\(i)]",
                            message: .init(
                                ru: "«\(p)» — не телефон (7–15 цифр)", en: "'\(p)' is not a phone number (7–15 digits)")))
                }
            }
            contact.phones = normalized
        }
        if let emails = input.emails {
            var normalized: [String] = []
            for (i, e) in emails.enumerated() {
                if let n = EmailAddress.normalize(e) {
                    if !normalized.contains(n) { normalized.append(n) }
                } else {
                    problems.append(
                        .init(
                            rule: .invalidValue, field: "emails[\(i)]",
                            message: .init(ru: "«\(e)» — не адрес e-mail", en: "'\(e)' is not an e-mail address")))
                }
            }
            contact.emails = normalized
        }
        if input.removesCompany && input.company == nil { contact.company = nil }
        if let id = input.company {
            if try await DealInput.found({ _ = try await s.company(CompanyID(id)) }) {
                contact.company = CompanyID(id)
            } else {
                problems.append(DealInput.unknown("companyId", "компании", "company", id))
            }
        }
        if let fields = input.fields {
            switch try await s.fieldCatalog().validate(fields, entity: .contact) {
            case .success(let values): for (k, v) in values { contact.fields[k] = v }
            case .failure(let r): problems += r.violations
            }
        }
        return problems
    }

    static func apply(name: String?, fields: [String: JSONValue]?, to company: inout Company, _ s: StoreSession) async throws -> [Violation] {
        var problems: [Violation] = []
        if let name = checkName(name, into: &problems) { company.name = name }
        if let fields {
            switch try await s.fieldCatalog().validate(fields, entity: .company) {
            case .success(let values): for (k, v) in values { company.fields[k] = v }
            case .failure(let r): problems += r.violations
            }
        }
        return problems
    }
}

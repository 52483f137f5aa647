import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `crm.contact.add/get/update/list/delete` and `crm.company.delete` over `PartyService`, with the JSON API's access checks.
extension Bitrix24Methods {
    /// Values of a multi-field (`PHONE: [{VALUE, VALUE_TYPE}]`, or plain strings).
    static func multiField(_ value: JSONValue?) -> [String]? {
        guard let value else { return nil }
        return value.lenientItems.compactMap { item in item[lenient: "VALUE"]?.lenientText ?? item.lenientText }.filter { !$0.isEmpty }
    }

    /// Reads `fields{NAME, SECOND_NAME, LAST_NAME, PHONE, EMAIL, COMPANY_ID, UF_CRM_…}`; `current` keeps the phones and
    /// e-mails it has (Bitrix24 adds multi-field values on update).
    static func contactInput(_ p: JSONValue, catalog: FieldCatalog, current: Contact?) -> PartyService.ContactInput {
        let f = p[lenient: "fields"] ?? .null
        var input = PartyService.ContactInput()
        let parts = ["NAME", "SECOND_NAME", "LAST_NAME"].compactMap { f[lenient: $0]?.lenientText?.trimmed }.filter { !$0.isEmpty }
        if !parts.isEmpty { input.name = parts.joined(separator: " ") }
        if let phones = multiField(f[lenient: "PHONE"]) { input.phones = (current?.phones ?? []) + phones }
        if let emails = multiField(f[lenient: "EMAIL"]) { input.emails = (current?.emails ?? []) + emails }
        input.company = f[lenient: "COMPANY_ID"]?.lenientInt
        var custom: [String: JSONValue] = [:]
        for (name, v) in f.lenientObject {
            guard let key = Bitrix24DealMapping.fieldKey(name), let d = catalog.definition(.contact, key) else { continue }
            custom[key.rawValue] = SentFieldValue.ours(v, type: d.type)
        }
        if !custom.isEmpty { input.fields = custom }
        return input
    }

    /// `crm.contact.add`: a live contact with one of the phones or e-mails sent answers with its id, unchanged, instead
    /// of a second contact (`DuplicateMatcher`), as Bitrix24's own duplicate control does; `crm.contact.update` then
    /// adds to it.
    func contactAdd(_ p: JSONValue) async throws -> Bitrix24Reply {
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        let input = Self.contactInput(p, catalog: catalog, current: nil)
        try access.requireContactWrite(input, catalog: catalog)
        let now = services.clock.now()
        let contact = try await store.write { s in try await PartyService.matchingOrNewContact(input, s, now: now).contact }
        return Bitrix24Reply(result: .number(Double(contact.id.rawValue)))
    }

    func contactUpdate(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = ContactID(try Self.id(p))
        let (current, catalog) = try await store.read { s in (try await s.contact(id), try await s.fieldCatalog()) }
        let input = Self.contactInput(p, catalog: catalog, current: current)
        try access.requireContactWrite(input, catalog: catalog)
        _ = try await services.parties.updateContact(id, input)
        return Bitrix24Reply(result: .bool(true))
    }

    /// `crm.contact.delete` and `crm.company.delete`: as `DELETE /api/v1/contacts/{id}`, refused while an open deal uses
    /// the record (Bitrix24's error format, the deals named in the description).
    func partyDelete(_ table: PartyTable, _ p: JSONValue) async throws -> Bitrix24Reply {
        try access.requirePartyDeleter()
        try await services.parties.delete(table, id: try Self.id(p))
        return Bitrix24Reply(result: .bool(true))
    }

    /// `crm.contact.get`; the id of a contact merged into another answers with the one kept (its own `ID`).
    func contactGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = ContactID(try Self.id(p))
        let (contact, catalog) = try await store.read { s in (try await s.contact(resolving: id), try await s.fieldCatalog()) }
        return Bitrix24Reply(result: .object(contactRow(contact, catalog: catalog)))
    }

    func contactList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let (offset, counts) = Self.start(p)
        let conditions = try Bitrix24Filter.contacts(p[lenient: "filter"] ?? .null, zone: services.auth.timeZone)
        let query = OffsetListQuery(
            conditions: conditions,
            order: Self.order(p, ["NAME": "name", "DATE_CREATE": "created_at", "DATE_MODIFY": "updated_at", "COMPANY_ID": "company_id"]),
            descending: Self.descending(p), offset: offset, limit: Self.pageSize, counts: counts)
        let (page, catalog) = try await store.read { s in (try await s.offsetContacts(query), try await s.fieldCatalog()) }
        let (contacts, total) = page
        let select = Set((p[lenient: "select"]?.lenientItems ?? []).compactMap { $0.lenientText?.uppercased() })
        return Self.page(contacts.map { .object(Self.selected(contactRow($0, catalog: catalog), select)) }, offset: offset, total: total)
    }

    /// A contact as a Bitrix24 row; phones and e-mails only for roles that see contact details.
    func contactRow(_ c: Contact, catalog: FieldCatalog) -> [String: JSONValue] {
        func multi(_ values: [String], _ type: String) -> JSONValue {
            .array(
                values.enumerated().map { i, v in
                    .object(["ID": .string(String(i + 1)), "VALUE": .string(v), "VALUE_TYPE": .string("WORK"), "TYPE_ID": .string(type)])
                })
        }
        let view = FieldView(principal, catalog: catalog)
        let (phones, emails) = (view.contact(c).phones, view.contact(c).emails)
        var row: [String: JSONValue] = [
            "ID": .string(c.id.description), "NAME": .string(c.name), "LAST_NAME": .null, "SECOND_NAME": .null,
            "COMPANY_ID": c.company.map { .string($0.description) } ?? .null, "HAS_PHONE": .string(phones.isEmpty ? "N" : "Y"),
            "HAS_EMAIL": .string(emails.isEmpty ? "N" : "Y"), "PHONE": multi(phones, "PHONE"), "EMAIL": multi(emails, "EMAIL"),
            "DATE_CREATE": Self.iso(c.createdAt), "DATE_MODIFY": Self.iso(c.updatedAt),
        ]
        for d in catalog.all(.contact) where view.shows(.contact, d.key.rawValue) {
            row[Bitrix24DealMapping.ufName(d.key)] = c.fields[d.key].map { Bitrix24DealMapping.value(bitrix: $0, type: d.type) } ?? .null
        }
        return row
    }
}

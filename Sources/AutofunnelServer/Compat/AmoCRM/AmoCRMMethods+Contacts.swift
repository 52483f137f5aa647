import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/contacts` over `PartyService`, with the JSON API's access checks; phones and e-mails are the predefined `PHONE`
/// and `EMAIL` fields (values sent replace the ones stored, as in amoCRM).
extension AmoCRMMethods {
    /// Reads one item: `name` (or `first_name` and `last_name`), `custom_fields_values`, `_embedded.companies`.
    static func contactInput(_ item: JSONValue, catalog: FieldCatalog) throws -> PartyService.ContactInput {
        guard case .object = item else { throw AmoCRMError.invalid("Each item is an object") }
        var input = PartyService.ContactInput()
        let parts = ["first_name", "last_name"].compactMap { item[lenient: $0]?.lenientText?.trimmed }.filter { !$0.isEmpty }
        input.name = item[lenient: "name"]?.lenientText ?? (parts.isEmpty ? nil : parts.joined(separator: " "))
        var phones: [String]?
        var emails: [String]?
        input.fields = try AmoCRMFields.read(item[lenient: "custom_fields_values"], entity: .contact, catalog: catalog) { code, id, values in
            let texts = values.compactMap { $0[lenient: "value"]?.lenientText }.filter { !$0.isEmpty }
            if code == "PHONE" || id == AmoCRMFields.phoneID {
                phones = texts
                return true
            }
            if code == "EMAIL" || id == AmoCRMFields.emailID {
                emails = texts
                return true
            }
            return false
        }
        if input.fields?.isEmpty == true { input.fields = nil }
        input.phones = phones
        input.emails = emails
        if let company = item[lenient: "_embedded"]?[lenient: "companies"]?.lenientItems.first {
            input.company = try AmoCRMLeadMapping.integer(company, "id")
        }
        return input
    }

    /// `POST /contacts` (`create`), `PATCH /contacts` (each item with its `id`) or `PATCH /contacts/{id}`, all items in
    /// one transaction. A created item with the phone or e-mail of a live contact answers with that contact's id,
    /// unchanged but for the tags sent, instead of a second contact (`DuplicateMatcher`), as amoCRM's duplicate control
    /// does.
    func contactSave(_ body: JSONValue, id pathID: Int64?, create: Bool) async throws -> JSONValue {
        if pathID != nil, case .array = body { throw AmoCRMError.invalid("PATCH /contacts/{id} takes one object") }
        let items = try Self.items(body)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        var planned: [(String, ContactID?, PartyService.ContactInput, AmoCRMTags.Change)] = []
        for (index, item) in items.enumerated() {
            let requestID = Self.requestID(item, index: index)
            try await forItem(requestID) {
                let input = try Self.contactInput(item, catalog: catalog)
                try access.requireContactWrite(input, catalog: catalog)
                var id: ContactID?
                if !create {
                    guard let sent = try pathID ?? AmoCRMLeadMapping.integer(item, "id") else {
                        throw AmoCRMError.invalid("id is required", path: "id")
                    }
                    id = ContactID(sent)
                }
                planned.append((requestID, id, input, AmoCRMTags.sent(item)))
            }
        }
        let (plan, now) = (planned, services.clock.now())
        let saved = try await store.write { s in
            var out: [(String, Contact)] = []
            for (requestID, id, input, tags) in plan {
                let contact = try await forItem(requestID) {
                    let contact =
                        id == nil
                        ? try await PartyService.matchingOrNewContact(input, s, now: now).contact
                        : try await PartyService.saveContact(input, id: id, s, now: now)
                    try await AmoCRMTags.apply(tags, kind: .contact, id: contact.id.rawValue, s, now: now, actor: principal.actor)
                    return contact
                }
                out.append((requestID, contact))
            }
            return out
        }
        let rows = saved.map { requestID, c in
            Self.savedRow(c.id.rawValue, requestID: requestID, base: base + "/contacts", updatedAt: create ? nil : c.updatedAt)
        }
        return pathID == nil ? savedReply("contacts", rows) : rows[0]
    }

    /// One contact; an unknown id is amoCRM's 204, a merged one answers with the contact kept (its own `id`).
    func contactGet(_ id: Int64) async throws -> JSONValue? {
        let found: (Contact, FieldCatalog, [Tag])
        do {
            found = try await store.read { s in
                let contact = try await s.contact(resolving: ContactID(id))
                return (contact, try await s.fieldCatalog(), try await s.tags(.contact, of: contact.id.rawValue))
            }
        } catch  where AppError.from(error).map(Self.isNotFound) == true {
            return nil
        }
        return contactRow(found.0, catalog: found.1, tags: found.2)
    }

    func contactList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let q = OffsetListQuery(
            conditions: try AmoCRMFilter.contacts(query), order: AmoCRMFilter.order(query), descending: AmoCRMFilter.descending(query),
            offset: paging.offset, limit: paging.limit + 1, counts: false)
        let (contacts, catalog, tags) = try await store.read { s in
            let contacts = try await s.offsetContacts(q).items
            return (contacts, try await s.fieldCatalog(), try await s.tags(.contact, of: contacts.prefix(paging.limit).map(\.id.rawValue)))
        }
        let rows = contacts.prefix(paging.limit).map { contactRow($0, catalog: catalog, tags: tags[$0.id.rawValue] ?? []) }
        return listReply("contacts", path: "/contacts", items: rows, paging: paging, more: contacts.count > paging.limit)
    }

    /// A contact as amoCRM writes it; phones and e-mails only for roles that see contact details.
    func contactRow(_ c: Contact, catalog: FieldCatalog, tags: [Tag]) -> JSONValue {
        let shown = FieldView(principal, catalog: catalog).contact(c)
        let (phones, emails) = (shown.phones, shown.emails)
        let predefined = [
            AmoCRMFields.multiValues(phones, id: AmoCRMFields.phoneID, code: "PHONE", name: russian ? "Телефон" : "Phone"),
            AmoCRMFields.multiValues(emails, id: AmoCRMFields.emailID, code: "EMAIL", name: "Email"),
        ].compactMap { $0 }
        let companies: [JSONValue] =
            c.company.map { [.object(["id": .number(Double($0.rawValue)), "_links": Self.selfLink("\(base)/companies/\($0)")])] } ?? []
        let words = c.name.split(separator: " ", maxSplits: 1).map(String.init)
        return .object([
            "id": .number(Double(c.id.rawValue)), "name": .string(c.name), "first_name": .string(words.first ?? ""),
            "last_name": .string(words.count > 1 ? words[1] : ""), "responsible_user_id": .null, "group_id": .number(0), "created_by": .number(0),
            "updated_by": .number(0), "created_at": Self.seconds(c.createdAt), "updated_at": Self.seconds(c.updatedAt), "closest_task_at": .null,
            "is_deleted": .bool(false), "is_unsorted": .bool(false),
            "custom_fields_values": AmoCRMFields.values(
                c.fields, entity: .contact, catalog: catalog, principal: principal, russian: russian, extra: predefined),
            "account_id": .number(Double(Self.accountID)), "_links": Self.selfLink("\(base)/contacts/\(c.id)"),
            "_embedded": .object(["tags": AmoCRMTags.embedded(tags), "companies": .array(companies)]),
        ])
    }
}

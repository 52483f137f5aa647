import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// The inputs of a contact's or company's card, and a posted form read back as the services' input: only what the
/// viewer may change is sent, so a role that may read a field but not change it cannot be refused for a value it
/// never touched.
enum PartyForm {
    typealias Input = DealPage.Input

    static func text(_ id: String, _ name: String, _ label: String, _ value: String, required: Bool = false, locked: Bool) -> Input {
        Input(id: id, name: name, label: label, value: value, type: "text", options: nil, checked: false, required: required, readOnly: locked)
    }

    static func contactInputs(_ c: Contact, company: Company?, view: FieldView, users: [User], viewer: WebViewer, edits: Bool) -> [Input] {
        let t = WebText.labels(viewer.locale)
        let access = { (field: String) in viewer.principal.access(.contact, field) }
        var out = [text("field-name", "name", t["name"] ?? "", c.name, required: true, locked: !edits)]
        if view.shows(.contact, "phones") {
            out.append(
                text(
                    "field-phones", "phones", "\(t["phones"] ?? "") (\(t["phonesHint"] ?? ""))", c.phones.joined(separator: ", "),
                    locked: !edits || access("phones") != .write))
        }
        if view.shows(.contact, "emails") {
            out.append(
                text(
                    "field-emails", "emails", "\(t["emails"] ?? "") (\(t["phonesHint"] ?? ""))", c.emails.joined(separator: ", "),
                    locked: !edits || access("emails") != .write))
        }
        out.append(text("field-company", "company", "\(t["company"] ?? "") (\(t["companyHint"] ?? ""))", company?.name ?? "", locked: !edits))
        return out + custom(.contact, c.fields, view: view, users: users, viewer: viewer, edits: edits)
    }

    static func companyInputs(_ c: Company, view: FieldView, users: [User], viewer: WebViewer, edits: Bool) -> [Input] {
        let t = WebText.labels(viewer.locale)
        return [text("field-name", "name", t["companyName"] ?? "", c.name, required: true, locked: !edits)]
            + custom(.company, c.fields, view: view, users: users, viewer: viewer, edits: edits)
    }

    /// Every custom field of the entity the viewer may see, read-only where they may not change it.
    static func custom(_ entity: FieldEntity, _ values: [FieldKey: JSONValue], view: FieldView, users: [User], viewer: WebViewer, edits: Bool)
        -> [Input]
    {
        view.catalog.all(entity).filter { view.shows(entity, $0.key.rawValue) }.map { d in
            DealPage.input(
                d, value: values[d.key], users: users, viewer: viewer, required: false,
                locked: !edits || viewer.principal.access(entity, d.key.rawValue, definition: d) != .write)
        }
    }

    /// A list typed into one input: split at commas, semicolons and line ends, blanks dropped.
    static func list(_ text: String?) -> [String]? {
        guard let text else { return nil }
        return text.split(whereSeparator: { ",;\n\r".contains($0) }).map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// The custom fields of the form (`f.key`) the viewer may change.
    static func fields(_ form: [String: String], entity: FieldEntity, catalog: FieldCatalog, viewer: WebViewer) -> [String: JSONValue]? {
        var fields: [String: JSONValue] = [:]
        for (name, text) in form where name.hasPrefix("f.") {
            let key = FieldKey(String(name.dropFirst(2)))
            guard let definition = catalog.definition(entity, key), viewer.principal.access(entity, key.rawValue, definition: definition) == .write
            else { continue }
            fields[key.rawValue] = FieldInput.value(text, definition: definition, zone: viewer.zone)
        }
        return fields.isEmpty ? nil : fields
    }

    /// A contact form as `PartyService` input. The company is named: an empty name unlinks it, and a name no live
    /// company has is refused.
    static func contactInput(_ form: [String: String], catalog: FieldCatalog, viewer: WebViewer, store: Store) async throws
        -> PartyService.ContactInput
    {
        var input = PartyService.ContactInput(name: form["name"])
        if viewer.principal.access(.contact, "phones") == .write { input.phones = list(form["phones"]) }
        if viewer.principal.access(.contact, "emails") == .write { input.emails = list(form["emails"]) }
        input.fields = fields(form, entity: .contact, catalog: catalog, viewer: viewer)
        if let typed = form["company"]?.trimmed {
            if typed.isEmpty {
                input.removesCompany = true
            } else {
                let found = try await store.read { s in
                    try await s.companyList(PartyListQuery(text: typed, limit: 20)).items.first { $0.name == typed }
                }
                guard let found else {
                    throw AppError.refused([
                        Violation(
                            rule: .invalidValue, field: "company",
                            message: .init(ru: "Нет компании «\(typed)»", en: "There is no company named '\(typed)'"))
                    ])
                }
                input.company = found.id.rawValue
            }
        }
        return input
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension DealPage {
    /// The user the dialog's text names. Text that is no number still names one — `unreadableUser` — so the change is
    /// refused as naming an unknown user ("No user with id 0") rather than the value being dropped without a word.
    static func user(_ text: String) -> UserID { Int64(text).map(UserID.init(rawValue:)) ?? unreadableUser }

    /// An id no user has (the store numbers users from 1): what a text that is no number reads as.
    static let unreadableUser = UserID(0)

    /// Saves what the required-fields dialog sends, by field reference (`amount`, `requirements`, `contact.phone`):
    /// the deal's own values in one change of the deal, contact and company values on the deal's contact and company
    /// (made when the deal has none yet). The board then retries the move, which checks the rules again.
    static func fill(_ id: DealID, form: [String: String], viewer: WebViewer, services: AppServices) async throws {
        let (deal, catalog) = try await services.store.read { s in (try await s.deal(id), try await s.fieldCatalog()) }
        guard viewer.principal.sees(deal) else { throw AppError.notFound("No deal with id \(id)") }
        guard viewer.principal.edits(deal) else { throw AppError.forbidden(ru: "Менять эту сделку вам нельзя", en: "You may not change this deal") }
        var input = DealInput()
        var fields: [String: JSONValue] = [:]
        var contact = PartyService.ContactInput()
        var contactFields: [String: JSONValue] = [:]
        var companyName: String?
        var companyFields: [String: JSONValue] = [:]
        var problems: [Violation] = []
        for (name, raw) in form.sorted(by: { $0.key < $1.key }) where name != "_csrf" && !name.hasSuffix(".currency") {
            let text = raw.trimmed
            guard let ref = FieldReference(name) else {
                problems.append(.init(rule: .unknownField, field: name, message: .init(ru: "Нет поля «\(name)»", en: "No field '\(name)'")))
                continue
            }
            switch ref {
            case .deal(.title): input.title = text
            case .deal(.amount):
                input.amount = .init(value: text.replacingOccurrences(of: ",", with: "."), currency: (form[name + ".currency"] ?? "").uppercased())
            case .deal(.source): input.source = text
            case .deal(.responsible): input.responsible = user(text)
            case .deal(.headOfSales): input.headOfSales = user(text)
            case .deal(.contact): contact.name = text
            case .deal(.company): companyName = text
            case .contact(.name): contact.name = text
            case .contact(.phone): contact.phones = [text]
            case .contact(.email): contact.emails = [text]
            case .dealField(let k):
                fields[k.rawValue] = FieldInput.value(
                    text, definition: catalog.definition(.deal, k), currency: form[name + ".currency"], zone: viewer.zone)
            case .contactField(let k):
                contactFields[k.rawValue] = FieldInput.value(
                    text, definition: catalog.definition(.contact, k), currency: form[name + ".currency"], zone: viewer.zone)
            case .companyField(let k):
                companyFields[k.rawValue] = FieldInput.value(
                    text, definition: catalog.definition(.company, k), currency: form[name + ".currency"], zone: viewer.zone)
            }
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        if !contactFields.isEmpty { contact.fields = contactFields }
        if !fields.isEmpty { input.fields = fields }
        let (person, name, values) = (contact, companyName, companyFields.isEmpty ? nil : companyFields)
        let now = services.clock.now()
        // The contact, the company and the deal in one transaction: a refused deal value leaves no new contact behind.
        _ = try await services.deals.update(id, input: input, actor: viewer.principal.actor, principal: viewer.principal) { deal, input, s in
            var person = person
            if person.name != nil || person.phones != nil || person.emails != nil || person.fields != nil {
                if deal.contact == nil && person.name == nil { person.name = person.phones?.first ?? person.emails?.first }
                let saved = try await PartyService.saveContact(person, id: deal.contact, s, now: now)
                if deal.contact == nil { input.contact = saved.id }
            }
            if name != nil || values != nil {
                let saved = try await PartyService.saveCompany(name: name, fields: values, id: deal.company, s, now: now)
                if deal.company == nil { input.company = saved.id }
            }
        }
    }
}

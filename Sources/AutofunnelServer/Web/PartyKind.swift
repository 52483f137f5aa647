import AutofunnelCore
import AutofunnelStore

/// Which of the two customer-side lists a page shows: contacts or companies. Their pages share templates and code.
enum PartyKind: String, Sendable {
    case contacts, companies

    var table: PartyTable { self == .contacts ? .contacts : .companies }
    var entity: FieldEntity { self == .contacts ? .contact : .company }
    var path: String { "/" + rawValue }
    var tagKind: TagKind { self == .contacts ? .contact : .company }
    func noteOwner(_ id: Int64) -> Note.Owner { self == .contacts ? .contact(ContactID(id)) : .company(CompanyID(id)) }

    func heading(ru: Bool) -> String {
        switch self {
        case .contacts: ru ? "Контакты" : "Contacts"
        case .companies: ru ? "Компании" : "Companies"
        }
    }
}

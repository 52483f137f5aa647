/// A field a stage can require: a built-in deal attribute, a contact or company attribute, or a custom field.
public enum FieldReference: Hashable, Sendable, CustomStringConvertible {
    /// Built-in attributes of a deal.
    public enum DealAttribute: String, Hashable, Sendable, CaseIterable {
        case title, amount, contact, company, source, responsible, headOfSales
    }
    /// Built-in attributes of a contact.
    public enum ContactAttribute: String, Hashable, Sendable, CaseIterable { case name, phone, email }

    case deal(DealAttribute)
    case contact(ContactAttribute)
    case dealField(FieldKey)
    case contactField(FieldKey)
    case companyField(FieldKey)

    /// Reads `amount`, `contact.phone`, `contact.segment`, `company.inn` or a deal field key.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            if let a = DealAttribute(rawValue: parts[0]) {
                self = .deal(a)
            } else if parts[0].isValidKey {
                self = .dealField(FieldKey(parts[0]))
            } else {
                return nil
            }
        case 2 where parts[0] == "contact":
            if let a = ContactAttribute(rawValue: parts[1]) {
                self = .contact(a)
            } else if parts[1].isValidKey {
                self = .contactField(FieldKey(parts[1]))
            } else {
                return nil
            }
        case 2 where parts[0] == "company" && parts[1].isValidKey:
            self = .companyField(FieldKey(parts[1]))
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .deal(let a): a.rawValue
        case .contact(let a): "contact.\(a.rawValue)"
        case .dealField(let k): k.rawValue
        case .contactField(let k): "contact.\(k.rawValue)"
        case .companyField(let k): "company.\(k.rawValue)"
        }
    }

    /// The custom field this reference names, if any, with its entity.
    public var customField: (FieldEntity, FieldKey)? {
        switch self {
        case .dealField(let k): (.deal, k)
        case .contactField(let k): (.contact, k)
        case .companyField(let k): (.company, k)
        case .deal, .contact: nil
        }
    }
}

/// The type of a custom field; every value is validated against it.
public enum FieldType: String, Hashable, Sendable, Codable, CaseIterable {
    case text, number, money, `enum`, user, date, datetime, phone, email, boolean
}

/// Which kind of record a custom field belongs to.
public enum FieldEntity: String, Hashable, Sendable, Codable, CaseIterable {
    case deal, contact, company
}

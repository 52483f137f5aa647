/// A custom field of deals, contacts or companies.
public struct FieldDefinition: Hashable, Sendable, Codable {
    /// One choice of an enum field.
    public struct Option: Hashable, Sendable, Codable {
        public var key: String
        public var name: Localized
        public init(key: String, name: Localized) {
            self.key = key
            self.name = name
        }
    }

    public var entity: FieldEntity
    public var key: FieldKey
    public var type: FieldType
    public var name: Localized
    public var options: [Option]?
    /// Roles that may only read the field, or not see it at all; every other role reads and writes it.
    public var access: [Role: FieldAccess]?

    public init(
        entity: FieldEntity, key: FieldKey, type: FieldType, name: Localized, options: [Option]? = nil, access: [Role: FieldAccess]? = nil
    ) {
        self.entity = entity
        self.key = key
        self.type = type
        self.name = name
        self.options = options
        self.access = access?.isEmpty == true ? nil : access
    }

    /// Problems with the definition itself: a bad key, an enum without options, options on a non-enum field.
    public func problems(path: String) -> [Violation] {
        var out: [Violation] = []
        if !key.rawValue.isValidKey {
            out.append(
                .init(
                    rule: .invalidDefinition, field: path + ".key",
                    message: .init(
                        ru: "Ключ поля «\(key)» должен начинаться с латинской буквы и состоять из a-z, 0-9, _",
                        en: "Field key '\(key)' must start with a letter and use only a-z, 0-9 and _")))
        }
        if type == .enum && (options ?? []).isEmpty {
            out.append(
                .init(
                    rule: .invalidDefinition, field: path + ".options",
                    message: .init(
                        ru: "У поля-списка «\(key)» нет вариантов", en: "Enum field '\(key)' has no options")))
        }
        if type != .enum && !(options ?? []).isEmpty {
            out.append(
                .init(
                    rule: .invalidDefinition, field: path + ".options",
                    message: .init(
                        ru: "Варианты задаются только для поля-списка «\(key)»", en: "Only enum fields take options ('\(key)')")))
        }
        let keys = (options ?? []).map(\.key)
        if Set(keys).count != keys.count {
            out.append(
                .init(
                    rule: .invalidDefinition, field: path + ".options",
                    message: .init(
                        ru: "Варианты поля «\(key)» повторяются", en: "Options of '\(key)' repeat")))
        }
        return out
    }
}

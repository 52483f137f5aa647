/// How a role may use one field.
public enum FieldAccess: String, Hashable, Sendable, Codable, CaseIterable {
    /// Read and change (the default, never written in a file).
    case write
    /// Shown, but a change is refused.
    case readOnly = "read_only"
    /// Left out of every response; a change is refused.
    case hidden
}

extension Role: CodingKeyRepresentable {}

/// The built-in fields that carry access rules of their own, besides the custom fields' `access`.
public enum BuiltinFieldRules {
    /// The rule for a built-in field of an entity (`headOfSalesId` of deals, `phones`/`emails` of contacts).
    public static func access(_ entity: FieldEntity, _ field: String, role: Role) -> FieldAccess {
        switch (entity, field, role) {
        case (.deal, "headOfSalesId", .manager): .readOnly
        case (.deal, "headOfSalesId", .marketer), (.deal, "headOfSalesId", .observer): .hidden
        case (.contact, "phones", .observer), (.contact, "emails", .observer): .hidden
        default: .write
        }
    }
}

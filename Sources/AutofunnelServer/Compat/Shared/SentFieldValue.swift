import AutofunnelCore

/// A custom field's value as the incumbents' clients send it (numbers as text, `"Y"`, `"100|RUB"`), in the form our
/// catalog validates.
enum SentFieldValue {
    /// The value in our form; empty text clears the field.
    static func ours(_ value: JSONValue, type: FieldType) -> JSONValue {
        if case .string(let s) = value, s.isEmpty { return .null }
        switch type {
        case .number: return value.lenientText.flatMap(Double.init).map(JSONValue.number) ?? value
        case .user: return value.lenientInt.map { .number(Double($0)) } ?? value
        case .boolean: return .bool(value.lenientFlag)
        case .money:
            guard let text = value.lenientText else { return value }
            let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return .object(["value": .string(parts[0]), "currency": .string(parts.count > 1 ? parts[1] : "RUB")])
        default: return value.lenientText.map(JSONValue.string) ?? value
        }
    }
}

import AutofunnelCore
import AutofunnelEngine

/// Values typed into HTML inputs, turned into the form a field's type stores; the services then validate them like
/// any API value. An empty input clears the field.
enum FieldInput {
    static func value(_ text: String, definition: FieldDefinition?, currency: String? = nil) -> JSONValue {
        let t = text.trimmed
        guard !t.isEmpty else { return .null }
        switch definition?.type ?? .text {
        case .number:
            return Double(t.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: "")).map(JSONValue.number) ?? .string(t)
        case .user: return Double(t).map(JSONValue.number) ?? .string(t)
        case .boolean: return .bool(t == "true" || t == "on" || t == "1")
        case .money:
            let parts = t.split(separator: " ").map(String.init)
            let code = currency ?? (parts.count > 1 ? parts.last! : "")
            let amount = currency == nil && parts.count > 1 ? parts.dropLast().joined() : parts.joined()
            return .object(["value": .string(amount.replacingOccurrences(of: ",", with: ".")), "currency": .string(code.uppercased())])
        case .datetime:
            // A datetime-local input sends `2026-11-23T10:00`: read as UTC, which is how the card shows times.
            return .string(t.count == 16 ? t + ":00Z" : t)
        case .text, .enum, .date, .phone, .email: return .string(t)
        }
    }
}

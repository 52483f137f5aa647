import AutofunnelCore
import AutofunnelEngine

/// Values typed into HTML inputs, turned into the form a field's type stores; the services then validate them like
/// any API value. An empty input clears the field.
enum FieldInput {
    static func value(_ text: String, definition: FieldDefinition?, currency: String? = nil, zone: TimeZoneName) -> JSONValue {
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
            // A datetime-local input sends `2026-11-23T10:00` on the viewer's wall clock; the field stores the moment in UTC.
            guard let local = LocalTime(inputText: t), let moment = zone.moment(local) else { return .string(t) }
            return .string(utc(moment))
        case .text, .enum, .date, .phone, .email: return .string(t)
        }
    }

    /// A moment as the RFC 3339 text datetime fields store: `2026-11-23T07:00:00Z`.
    static func utc(_ t: Timestamp) -> String { TimeZoneName.utc.local(t).inputText + ":00Z" }

    /// A stored datetime value as a `datetime-local` input on the viewer's wall clock shows it.
    static func input(_ stored: String, zone: TimeZoneName) -> String {
        guard let millis = CalendarText.millis(stored), stored.count > 10 else { return String(stored.prefix(16)) }
        return zone.local(Timestamp(millis: millis)).inputText
    }
}

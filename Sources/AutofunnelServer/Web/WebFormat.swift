import AutofunnelCore
import AutofunnelEngine
import Foundation

/// How pages show times, durations and money: in the viewer's language (times: `WebViewer.time`, in the viewer's zone).
enum WebFormat {
    /// A short duration: `3 д 4 ч`, `25 мин` / `3d 4h`, `25m`.
    static func duration(millis: Int64, ru: Bool) -> String {
        let minutes = max(0, millis / 60_000)
        let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
        let unit = ru ? (d: " д", h: " ч", m: " мин") : (d: "d", h: "h", m: "m")
        if d > 0 { return h > 0 ? "\(d)\(unit.d) \(h)\(unit.h)" : "\(d)\(unit.d)" }
        if h > 0 { return m > 0 ? "\(h)\(unit.h) \(m)\(unit.m)" : "\(h)\(unit.h)" }
        return "\(m)\(unit.m)"
    }

    /// Whole units grouped by thin spaces, with the currency: `150 000 RUB`, `1 500.50 USD`.
    static func money(_ m: Money) -> String { money(MoneyTotal(m)) }

    static func money(_ total: MoneyTotal) -> String {
        let (text, currency) = (total.decimalText, total.currency)
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "\u{202F}" + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        grouped = whole + grouped
        let fraction = parts.count > 1 && parts[1].contains(where: { $0 != "0" }) ? "." + parts[1] : ""
        return "\(grouped)\(fraction) \(currency.code)"
    }

    /// A field value as text: options by their name, money and booleans in words.
    static func value(_ v: JSONValue?, definition: FieldDefinition?, ru: Bool) -> String {
        switch v {
        case nil, .null?: return ""
        case .string(let s)?:
            if let option = definition?.options?.first(where: { $0.key == s }) { return ru ? option.name.ru : option.name.en }
            return s
        case .number(let n)?: return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b)?: return b ? (ru ? "да" : "yes") : (ru ? "нет" : "no")
        case .object(let o)?:
            if case .string(let value)? = o["value"], case .string(let code)? = o["currency"] { return "\(value) \(code)" }
            return ""
        case .array(let items)?: return items.map { value($0, definition: definition, ru: ru) }.joined(separator: ", ")
        }
    }
}

import AutofunnelCore
import Foundation

/// How values are written in export cells, the same in every file so that the importer reads them back as they were.
public enum ExportText {
    /// Phones and e-mails of one contact in one cell.
    public static let listSeparator = "; "

    /// A moment in UTC with milliseconds: `2026-01-31T12:00:00.000Z`.
    public static func moment(_ t: Timestamp) -> String {
        let (days, millis) = floorDivision(t.millis, 86_400_000)
        let (year, month, day) = CalendarMonth.civil(day: days)
        let seconds = millis / 1000
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":"
            + pad(seconds % 60, 2) + "." + pad(millis % 1000, 3) + "Z"
    }

    /// A custom field's stored value as text: a string as it is, nothing for null, anything else (numbers, booleans,
    /// lists, objects such as a money field's `{"currency":…,"value":…}`) as compact JSON with sorted keys.
    public static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number, .array, .object:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(v)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    /// Quotient and a non-negative remainder, so that moments before 1970 count back from midnight correctly.
    static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let r = a % b
        return r < 0 ? (a / b - 1, r + b) : (a / b, r)
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

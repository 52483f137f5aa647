import AutofunnelCore
import Foundation

/// A moment as the incumbents' clients send it in text.
enum DialectMoment {
    /// Reads a date or date-time (`2026-01-31`, `2026-01-31T12:00:00+03:00`), within the years `Timestamp` accepts.
    static func parse(_ text: String) -> Timestamp? {
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current)
        if let date = try? style.parse(text) { return Timestamp(checkedSeconds: date.timeIntervalSince1970) }
        if let date = try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current).year().month().day().parse(text) {
            return Timestamp(checkedSeconds: date.timeIntervalSince1970)
        }
        return nil
    }
}

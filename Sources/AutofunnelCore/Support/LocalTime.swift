import Foundation

/// A wall-clock reading in some time zone: the date, the time to the minute and the weekday (1 Monday … 7 Sunday).
public struct LocalTime: Hashable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var weekday: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, weekday: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.weekday = weekday
    }

    /// `2026-11-23 14:05`.
    public var text: String { dateText + " " + TimeZoneName.two(hour) + ":" + TimeZoneName.two(minute) }
    /// `2026-11-23T14:05`, as an HTML `datetime-local` input holds it.
    public var inputText: String { dateText + "T" + TimeZoneName.two(hour) + ":" + TimeZoneName.two(minute) }
    /// `2026-11-23`.
    public var dateText: String {
        String(repeating: "0", count: max(0, 4 - String(year).count)) + "\(year)-" + TimeZoneName.two(month) + "-" + TimeZoneName.two(day)
    }

    /// A `datetime-local` input's `2026-11-23T14:05` (seconds allowed), or nil for anything else.
    public init?(inputText text: String) {
        let p = Array(text.utf8)
        guard p.count == 16 || p.count == 19, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T"),
            p[13] == UInt8(ascii: ":"), CalendarText.isDate(String(decoding: p[0..<10], as: UTF8.self)),
            let y = Int(String(decoding: p[0..<4], as: UTF8.self)), let m = Int(String(decoding: p[5..<7], as: UTF8.self)),
            let d = Int(String(decoding: p[8..<10], as: UTF8.self)), let h = Int(String(decoding: p[11..<13], as: UTF8.self)),
            let mi = Int(String(decoding: p[14..<16], as: UTF8.self)), (0..<24).contains(h), (0..<60).contains(mi),
            p[11...].allSatisfy({ (48...58).contains($0) })
        else { return nil }
        self.init(year: y, month: m, day: d, hour: h, minute: mi)
    }
}

extension TimeZoneName {
    /// The wall clock of this zone at a moment.
    public func local(_ t: Timestamp) -> LocalTime {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: Self.date(t))
        let weekday = ((c.weekday ?? 1) + 5) % 7 + 1
        return LocalTime(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0, hour: c.hour ?? 0, minute: c.minute ?? 0, weekday: weekday)
    }

    /// The moment this zone's wall clock reads `local` (its weekday ignored). A reading the clocks skip (the hour
    /// daylight saving jumps over) is the moment right after the jump; a reading that happens twice is the first.
    public func moment(_ local: LocalTime) -> Timestamp? {
        guard (1...9999).contains(local.year) else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute) = (local.year, local.month, local.day, local.hour, local.minute)
        guard let date = calendar.date(from: c) else { return nil }
        return Timestamp(millis: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// Midnight of the local day a moment falls on, moved by whole days (`days: 1` is tomorrow's midnight).
    public func startOfDay(_ t: Timestamp, days: Int = 0) -> Timestamp {
        var l = local(t)
        (l.hour, l.minute) = (0, 0)
        let midnight = moment(l) ?? t
        guard days != 0, let moved = calendar.date(byAdding: .day, value: days, to: Self.date(midnight)) else { return midnight }
        return Timestamp(millis: Int64((moved.timeIntervalSince1970 * 1000).rounded()))
    }

    /// Midnight of the Monday after the week (Monday to Sunday) a moment falls in.
    public func startOfNextWeek(_ t: Timestamp) -> Timestamp { startOfDay(t, days: 8 - local(t).weekday) }

    static func date(_ t: Timestamp) -> Date { Date(timeIntervalSince1970: Double(t.millis) / 1000) }
}

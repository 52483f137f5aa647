import Foundation

/// Moments as other systems write them: ISO 8601 (with a zone, or UTC), `2026-01-31 12:00[:00]`, and dotted or dashed
/// day-first dates (`31.01.2026 12:00:00`, amoCRM; `31-01-2026`), or month-first when the mapping says so.
public struct ImportDates: Sendable {
    /// Whether `01.02.2026` is the 1st of February (true) or the 2nd of January.
    public var dayFirst: Bool
    /// The zone of moments written without one.
    public var zone: TimeZone

    public init(dayFirst: Bool = true, zone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.dayFirst = dayFirst
        self.zone = zone
    }

    /// The zone a mapping names (`Europe/Moscow`, `+03:00`); nil when it names none we know.
    public static func zone(named name: String) -> TimeZone? {
        if let zone = TimeZone(identifier: name) { return zone }
        let sign: Int = name.hasPrefix("-") ? -1 : 1
        let digits = name.drop { $0 == "+" || $0 == "-" }.split(separator: ":").compactMap { Int($0) }
        guard name.first == "+" || name.first == "-", digits.count == 2, (0...14).contains(digits[0]), (0..<60).contains(digits[1]) else {
            return nil
        }
        return TimeZone(secondsFromGMT: sign * (digits[0] * 3600 + digits[1] * 60))
    }

    /// The moment written in `text`; nil when it is in no form above or names no real day (31.02).
    public func parse(_ text: String) -> Timestamp? {
        let t = text.trimmingWhitespace
        guard !t.isEmpty, t.count <= 40 else { return nil }
        let scalars = Array(t.unicodeScalars)
        // The date: yyyy-MM-dd, or d.M.yyyy / d-M-yyyy / d/M/yyyy.
        var i = 0
        func number(maxDigits: Int) -> Int? {
            var value = 0
            var count = 0
            while i < scalars.count, count < maxDigits, (48...57).contains(scalars[i].value) {
                value = value * 10 + Int(scalars[i].value - 48)
                count += 1
                i += 1
            }
            return count == 0 ? nil : value
        }
        func take(_ c: Character) -> Bool {
            guard i < scalars.count, Character(scalars[i]) == c else { return false }
            i += 1
            return true
        }
        var (year, month, day) = (0, 0, 0)
        guard let first = number(maxDigits: 4) else { return nil }
        if i == 4 {
            guard take("-"), let m = number(maxDigits: 2), take("-"), let d = number(maxDigits: 2) else { return nil }
            (year, month, day) = (first, m, d)
        } else {
            guard i < scalars.count, ".-/".unicodeScalars.contains(scalars[i]) else { return nil }
            let sep = Character(scalars[i])
            i += 1
            guard let second = number(maxDigits: 2), take(sep), let y = number(maxDigits: 4) else { return nil }
            (year, month, day) = dayFirst ? (y, second, first) : (y, first, second)
        }
        var (hour, minute, second, millis) = (0, 0, 0, 0)
        var offset: Int? = nil
        if take("T") || take(" ") {
            guard let h = number(maxDigits: 2), take(":"), let m = number(maxDigits: 2) else { return nil }
            (hour, minute) = (h, m)
            if take(":") {
                guard let s = number(maxDigits: 2) else { return nil }
                second = s
                if take(".") || take(",") {
                    let start = i
                    guard let fraction = number(maxDigits: 9) else { return nil }
                    let digits = i - start
                    millis = digits >= 3 ? fraction / Int(pow(10, Double(digits - 3))) : fraction * Int(pow(10, Double(3 - digits)))
                }
            }
            if take("Z") {
                offset = 0
            } else if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" {
                let sign = scalars[i] == "-" ? -1 : 1
                i += 1
                guard let oh = number(maxDigits: 2) else { return nil }
                _ = take(":")
                let om = number(maxDigits: 2) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == scalars.count, (1...9999).contains(year), (1...12).contains(month), (1...Self.days(in: month, year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let local = CalendarText.days(year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let zoneOffset = offset ?? zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))
        return Timestamp(checkedSeconds: local - Int64(zoneOffset)).map { Timestamp(millis: $0.millis + Int64(millis)) }
    }

    static func days(in month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Checks of calendar texts without a date library: `YYYY-MM-DD` and RFC 3339 date-times.
public enum CalendarText {
    /// Whether the text is a real calendar date `YYYY-MM-DD` (leap years included).
    public static func isDate(_ s: String) -> Bool {
        let p = Array(s.utf8)
        guard p.count == 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
            let y = number(p[0..<4]), let m = number(p[5..<7]), let d = number(p[8..<10]), (1...12).contains(m), d >= 1
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// Whether the text is an RFC 3339 date-time such as `2026-11-23T10:00:00Z` or `2026-11-23T10:00:00.5+03:00`.
    public static func isDateTime(_ s: String) -> Bool {
        let p = Array(s.utf8)
        guard p.count >= 20, isDate(String(decoding: p[0..<10], as: UTF8.self)), p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t"),
            p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":"),
            let h = number(p[11..<13]), let mi = number(p[14..<16]), let se = number(p[17..<19]), h < 24, mi < 60, se < 61
        else { return false }
        var i = 19
        if p[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < p.count, (48...57).contains(p[i]) { i += 1 }
            if i == start { return false }
        }
        guard i < p.count else { return false }
        if p[i] == UInt8(ascii: "Z") || p[i] == UInt8(ascii: "z") { return i == p.count - 1 }
        guard p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-"), p.count - i == 6, p[i + 3] == UInt8(ascii: ":"),
            let oh = number(p[(i + 1)..<(i + 3)]), let om = number(p[(i + 4)..<(i + 6)])
        else { return false }
        return oh < 24 && om < 60
    }

    /// The instant a date (midnight UTC) or an RFC 3339 date-time names, in milliseconds since 1970; nil for other text.
    public static func millis(_ s: String) -> Int64? {
        let p = Array(s.utf8)
        if isDate(s), let y = number(p[0..<4]), let m = number(p[5..<7]), let d = number(p[8..<10]) {
            return days(y, m, d) * 86_400_000
        }
        guard isDateTime(s), let y = number(p[0..<4]), let m = number(p[5..<7]), let d = number(p[8..<10]),
            let h = number(p[11..<13]), let mi = number(p[14..<16]), let se = number(p[17..<19])
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if p[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100
            while i < p.count, (48...57).contains(p[i]) {
                fraction += Int64(p[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset: Int64 = 0
        if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-"), let oh = number(p[(i + 1)..<(i + 3)]), let om = number(p[(i + 4)..<(i + 6)]) {
            offset = Int64(oh * 60 + om) * 60_000 * (p[i] == UInt8(ascii: "+") ? 1 : -1)
        }
        return days(y, m, d) * 86_400_000 + Int64(h * 3600 + mi * 60 + se) * 1000 + fraction - offset
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for b in bytes {
            guard (48...57).contains(b) else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }
}

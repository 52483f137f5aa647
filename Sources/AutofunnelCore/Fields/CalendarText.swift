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

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for b in bytes {
            guard (48...57).contains(b) else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }
}

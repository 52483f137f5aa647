import AutofunnelCore
import Foundation

extension SpreadsheetFile {
    /// The column of a cell reference, from 0: `A7` → 0, `AB3` → 27; nil when it starts with no letter.
    static func column(of reference: String) -> Int? {
        var column = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            let value = scalar.value | 0x20  // lowercase
            guard (0x61...0x7A).contains(value) else { break }
            letters += 1
            // More letters than Excel's XFD only needs to be recognisably too many.
            guard letters <= 4 else { return SpreadsheetFile.maximumColumns }
            column = column * 26 + Int(value - 0x61 + 1)
        }
        return letters == 0 ? nil : column - 1
    }

    /// A number as a user typed it: an integer without `.0`, anything else in the shortest text that reads back as
    /// the same number, never in scientific notation (`1500000`, `0.1`, `0.000015`).
    static func numberText(_ number: Double) -> String {
        if number == number.rounded(), number.magnitude < 1e15 { return String(Int64(number)) }
        let sign = number < 0 ? "-" : ""
        let text = "\(number.magnitude)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return sign + withoutTrailingZeros(text) }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        let mantissa = text[..<e]
        var digits = Array(mantissa.filter { $0 != "." })
        var point = mantissa.prefix { $0 != "." }.count + exponent
        if point <= 0 {
            digits.insert(contentsOf: repeatElement("0", count: 1 - point), at: 0)
            point = 1
        }
        if point >= digits.count {
            digits.append(contentsOf: repeatElement("0", count: point - digits.count))
            return sign + String(digits)
        }
        return sign + withoutTrailingZeros(String(digits[..<point]) + "." + String(digits[point...]))
    }

    private static func withoutTrailingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.last == "0" { trimmed.removeLast() }
        if trimmed.last == "." { trimmed.removeLast() }
        return String(trimmed)
    }

    /// An Excel date serial as `yyyy-MM-ddTHH:mm:ss`, to the nearest second; nil outside years 1900–9999.
    ///
    /// No zone is written: Excel keeps the wall-clock time the user typed, so the mapping's time zone applies to it as
    /// it does to a date in a CSV. In the 1900 system serial 1 is 1900-01-01 and serial 60 the 29 February 1900 that
    /// never was (Lotus's bug, kept by Excel), so serials from 61 count one day less; in the 1904 system 0 is 1904-01-01.
    static func dateText(serial: Double, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        var day = Int(serial.rounded(.down))
        var second = Int(((serial - Double(day)) * 86_400).rounded())
        if second >= 86_400 {
            day += 1
            second -= 86_400
        }
        let sinceEpoch = date1904 ? day - 24_107 : day - (day >= 61 ? 25_569 : 25_568)
        let (year, month, dayOfMonth) = CalendarMonth.civil(day: Int64(sinceEpoch))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(Int(month)))-\(two(Int(dayOfMonth)))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }

    /// Whether a number format shows a date: the built-in date formats 14–22 and 45–47, or a format code with a day,
    /// month, year or hour outside quoted text, `[…]` (colours, locales) and escaped characters.
    static func isDateFormat(id: Int, code: String?) -> Bool {
        guard let code else { return (14...22).contains(id) || (45...47).contains(id) }
        var quoted = false
        var bracketed = false
        var escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
            } else if quoted {
                quoted = character != "\""
            } else if bracketed {
                bracketed = character != "]"
            } else {
                switch character {
                case "\"": quoted = true
                case "[": bracketed = true
                case "\\", "_", "*": escaped = true
                case "d", "m", "y", "h": return true
                default: break
                }
            }
        }
        return false
    }

    /// The text with Excel's `_xHHHH_` escapes (control characters, `_x000D_` for CR) replaced by their characters.
    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "_", i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
                let code = UInt32(String(String.UnicodeScalarView(scalars[(i + 2)...(i + 5)])), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.append(scalar)
                i += 7
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    /// A relationship's target as a path in the archive: relative to `xl/`, or from the root when it starts with `/`.
    static func partPath(_ target: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : ["xl"]
        for part in target.split(separator: "/") {
            if part == ".." {
                _ = parts.popLast()
            } else if part != "." {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}

/// Finds the parts of a text that `FieldView.redact` masks, character by character, and replaces them.
enum TextMask {
    /// Marks every occurrence of `value` in the text whose characters, lower-cased one by one, are `lower`.
    static func mark(_ value: String, in lower: [String], into masked: inout [Bool]) {
        let needle = value.map { $0.lowercased() }
        guard !needle.isEmpty, needle.count <= lower.count else { return }
        var i = 0
        while i + needle.count <= lower.count {
            if (0..<needle.count).allSatisfy({ lower[i + $0] == needle[$0] }) {
                for j in i..<(i + needle.count) { masked[j] = true }
                i += needle.count
            } else {
                i += 1
            }
        }
    }

    /// Marks every run of digits, spaces, dashes, dots and brackets whose digits hold one of `phones` (digits only); a
    /// number longer than 10 digits is found by its last 10, so `8 912 345-67-89` is found for `+79123456789`.
    static func phones(_ phones: [String], in chars: [Character]) -> [Bool] {
        var masked = Array(repeating: false, count: chars.count)
        let keys = phones.map { $0.count > 10 ? String($0.suffix(10)) : $0 }
        guard !keys.isEmpty else { return masked }
        var i = 0
        while i < chars.count {
            guard chars[i].isASCIIDigit || chars[i] == "+" || chars[i] == "(" else {
                i += 1
                continue
            }
            var j = i
            while j < chars.count, chars[j].isASCIIDigit || " -().+\u{00A0}".contains(chars[j]) { j += 1 }
            var end = j
            while end > i, !chars[end - 1].isASCIIDigit { end -= 1 }
            let digits = String(chars[i..<end].filter(\.isASCIIDigit))
            if keys.contains(where: { digits.utf8Contains($0) }) {
                for k in i..<end { masked[k] = true }
            }
            i = max(j, i + 1)
        }
        return masked
    }

    /// The text with each marked stretch replaced by one `mask`.
    static func apply(_ masked: [Bool], to chars: [Character], mask: String) -> String {
        var out = ""
        var inside = false
        for (c, m) in zip(chars, masked) {
            if m {
                if !inside { out += mask }
            } else {
                out.append(c)
            }
            inside = m
        }
        return out
    }
}

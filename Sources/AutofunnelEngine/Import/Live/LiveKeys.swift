import Foundation

/// Keys made from the other CRM's names: lower-case Latin letters, digits and `_`, Cyrillic transliterated, so that
/// `Переговоры` becomes `peregovory` and `Closed - won` `closed_won`; a name that gives nothing readable falls back
/// to the given id (`s142`).
public enum LiveKeys {
    /// A key for `name`, else `fallback`; never longer than 63 characters and always starting with a letter.
    public static func key(_ name: String, fallback: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if let latin = latin(ch) {
                out += latin
            } else if !out.hasSuffix("_") {
                out += "_"
            }
        }
        let trimmed = String(out.trimmingCharacters(in: CharacterSet(charactersIn: "_")).prefix(60)).trimmingCharacters(
            in: CharacterSet(charactersIn: "_"))
        if let first = trimmed.unicodeScalars.first, ("a"..."z").contains(first) { return trimmed }
        return clean(fallback)
    }

    /// `fallback` made a valid key: `C1:NEW` → `c1_new`; prefixed with `s` when it starts with no letter.
    public static func clean(_ raw: String) -> String {
        let lowered = raw.lowercased().map { ch -> String in
            ch.isASCII && (ch.isLetter || ch.isNumber) ? String(ch) : "_"
        }.joined()
        let base = String(lowered.prefix(60))
        guard let first = base.unicodeScalars.first, ("a"..."z").contains(first) else { return "s" + String(base.prefix(59)) }
        return base
    }

    /// `key`, or `key_2`, `key_3`, … when `taken` has it; the result is added to `taken`.
    public static func unique(_ key: String, in taken: inout Set<String>) -> String {
        var candidate = key
        var n = 1
        while taken.contains(candidate) {
            n += 1
            candidate = String(key.prefix(58)) + "_\(n)"
        }
        taken.insert(candidate)
        return candidate
    }

    static func latin(_ ch: Character) -> String? {
        if ch.isASCII, ch.isLetter || ch.isNumber { return String(ch) }
        return cyrillic[ch]
    }

    static let cyrillic: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l",
        "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    ]
}

/// Text that users store (titles, notes, names, comments, field values): when it counts as blank, and what cannot be
/// stored. One definition for every service, every channel and the transition rules.
public enum UserText {
    /// Whether a character shows nothing: Unicode white space, a format character (U+200B, U+200D, U+2060, U+FEFF,
    /// U+180E…) or another default-ignorable code point (U+3164 Hangul filler…). Judged on whole characters (grapheme
    /// clusters): an emoji's variation selector or a flag's tag characters belong to a visible character and stay.
    public static func isInvisible(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy { scalar in
            let p = scalar.properties
            return p.isWhitespace || p.generalCategory == .format || p.isDefaultIgnorableCodePoint
        }
    }

    /// The violation for text that cannot be stored as sent, naming `field`; nil when it can. A NUL character (U+0000)
    /// cannot: SQLite would cut the text at it and PostgreSQL refuses it, so it is refused the same way on both.
    public static func unstorable(_ text: String, field: String) -> Violation? {
        guard text.utf8.contains(0) else { return nil }
        return Violation(
            rule: .invalidValue, field: field,
            message: .init(
                ru: "«\(field)»: символ NUL (U+0000) сохранить нельзя", en: "'\(field)' contains a NUL character (U+0000), which cannot be stored"))
    }
}

extension String {
    /// The string without leading and trailing invisible characters: white space and format characters such as the
    /// zero-width space (`UserText.isInvisible`).
    public var trimmed: String {
        guard let first = firstIndex(where: { !UserText.isInvisible($0) }), let last = lastIndex(where: { !UserText.isInvisible($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// The string without leading and trailing white space and line breaks (`Character.isWhitespace`). A cell of an
    /// import file passes through here: one with neither at its ends comes back as it is without a scan.
    public var trimmingWhitespace: String {
        guard let head = utf8.first, let tail = utf8.last else { return self }
        if (0x21..<0x80).contains(head) && (0x21..<0x80).contains(tail) { return self }
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    /// Whether the string shows nothing: empty, or only white space and invisible format characters. Required text
    /// (a loss comment, a reopen reason, a required field) must not be blank.
    public var isBlank: Bool { allSatisfy(UserText.isInvisible) }
}

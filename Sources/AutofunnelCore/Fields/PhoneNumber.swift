/// Phone numbers as stored: an optional `+` and 7–15 digits, punctuation removed.
public enum PhoneNumber {
    /// The stored form of a phone typed as `+7 (912) 345-67-89`, or nil if it is not a phone number.
    public static func normalize(_ text: String) -> String? {
        var out = ""
        for (i, ch) in text.trimmed.enumerated() {
            if ch == "+" && i == 0 {
                out.append(ch)
            } else if ch.isASCIIDigit {
                out.append(ch)
            } else if !" -().".contains(ch) {
                return nil
            }
        }
        let digits = out.filter(\.isASCIIDigit).count
        return (7...15).contains(digits) ? out : nil
    }
}

/// E-mail addresses as stored: trimmed and lower-cased, with a local part, one `@` and a dotted domain.
public enum EmailAddress {
    /// The stored form of an address, or nil if it is not one.
    public static func normalize(_ text: String) -> String? {
        let s = text.trimmed.lowercased()
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, s.count <= 254,
            !s.unicodeScalars.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard domain.count >= 2, domain.allSatisfy({ !$0.isEmpty }) else { return nil }
        return s
    }
}

/// The text the search index holds for a record: folded as a query is folded, so that both databases compare the same
/// strings with a plain substring match, whatever their locale.
public enum SearchText {
    /// Lower case (Cyrillic and Latin alike) with «ё» read as «е»: «Ёлкин», «ЁЛКИН» and «елкин» are one word.
    public static func fold(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.utf8.count)
        for scalar in text.lowercased().unicodeScalars {
            // «ё» may also come decomposed: «е» followed by a combining diaeresis, which is dropped.
            if scalar == "ё" {
                out.unicodeScalars.append("е")
            } else if scalar == "\u{308}", out.unicodeScalars.last == "е" {
                continue
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The digits of a phone number, and for a Russian number the spellings people write it in: 11 digits with either
    /// trunk prefix and the 10 digits without one, so that «8 916 …», «+7 916 …» and «(916) …» are one number.
    public static func phoneDigits(_ phone: String) -> [String] {
        let digits = String(phone.unicodeScalars.filter { $0 >= "0" && $0 <= "9" }.map(Character.init))
        guard !digits.isEmpty else { return [] }
        if digits.count == 11, let first = digits.first, first == "7" || first == "8" {
            return [digits, (first == "7" ? "8" : "7") + digits.dropFirst(), String(digits.dropFirst())]
        }
        if digits.count == 10 { return [digits, "7" + digits, "8" + digits] }
        return [digits]
    }

    /// The indexed text of a deal: its title.
    public static func deal(title: String) -> String { fold(title) }

    /// The indexed text of a contact's details: e-mails as written (folded) and phones as digits.
    public static func contactDetails(phones: [String], emails: [String]) -> String {
        contactKeys(phones: phones, emails: emails).joined(separator: " ")
    }

    /// The words of a contact's indexed details (`contactDetails`): two contacts sharing one of them share a phone or
    /// an e-mail, which is what the duplicate check compares.
    public static func contactKeys(phones: [String], emails: [String]) -> [String] {
        emails.map(fold) + phones.flatMap(phoneDigits)
    }

    /// The words of a company's indexed tax id (`companyDetails`) that are long enough to name one company: what the
    /// duplicate check compares.
    public static func companyKeys(fields: [FieldKey: JSONValue]) -> [String] {
        companyDetails(fields: fields).split(separator: " ").map(String.init).filter { $0.count >= 5 }
    }

    /// The company fields searched besides the name: its tax id under either usual key.
    public static let taxIDFields: [FieldKey] = ["tax_id", "inn"]

    /// The indexed text of a company's details: its tax id (`tax_id` or `inn`), as written and as digits.
    public static func companyDetails(fields: [FieldKey: JSONValue]) -> String {
        var parts: [String] = []
        for key in taxIDFields {
            switch fields[key] {
            case .string(let s): parts.append(fold(s))
            case .number(let n) where n >= 0 && n < 1e15 && n == n.rounded(): parts.append(String(Int64(n)))
            default: break
            }
        }
        return parts.joined(separator: " ")
    }
}

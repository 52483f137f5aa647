/// A label on a deal, contact or company, as amoCRM users put them ("VIP", "выставка-2026"): matched case-folded
/// («ё» as «е»), shown as it was first written.
public struct Tag: Hashable, Sendable {
    /// The longest tag, in characters.
    public static let maxLength = 50
    /// The most tags one record carries.
    public static let maxPerRecord = 50

    /// As written: trimmed, runs of white space made one space.
    public let name: String
    /// What tags are matched by: the name folded (`SearchText.fold`).
    public let key: String

    /// A tag as the store holds it (the name and key already checked).
    public init(stored name: String, key: String) {
        self.name = name
        self.key = key
    }

    /// Reads a tag as a user typed it; a `Violation` for an empty or too long one, one with a comma (lists of tags are
    /// written comma-separated, in amoCRM's export too) or with control characters.
    public static func parse(_ text: String) -> Result<Tag, Violation> {
        let name = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").trimmed
        if name.isEmpty { return .failure(refusal(ru: "Пустой тег", en: "A tag cannot be empty")) }
        if name.count > maxLength {
            return .failure(refusal(ru: "Тег длиннее \(maxLength) символов", en: "A tag is at most \(maxLength) characters long"))
        }
        if name.contains(",") || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return .failure(refusal(ru: "В теге не может быть запятой", en: "A tag cannot contain a comma or control characters"))
        }
        return .success(Tag(stored: name, key: SearchText.fold(name)))
    }

    /// Every tag of a list typed by a user, without repeats (by key), or every problem with it.
    public static func parseList(_ texts: [String]) -> Result<[Tag], Refusal> {
        var tags: [Tag] = []
        var problems: [Violation] = []
        for text in texts {
            switch parse(text) {
            case .success(let tag): if !tags.contains(where: { $0.key == tag.key }) { tags.append(tag) }
            case .failure(let v): if !problems.contains(v) { problems.append(v) }
            }
        }
        return problems.isEmpty ? .success(tags) : .failure(Refusal(problems))
    }

    /// A comma-separated list typed in a form or read from an import cell; empty parts are skipped.
    public static func parseCommaList(_ text: String) -> Result<[Tag], Refusal> {
        parseList(text.split(separator: ",").map(String.init).filter { !$0.trimmed.isEmpty })
    }

    /// The refusal when a record would carry more than `maxPerRecord` tags.
    public static func tooMany(_ count: Int) -> Violation {
        refusal(
            ru: "У записи не больше \(maxPerRecord) тегов (было бы \(count))",
            en: "A record carries at most \(maxPerRecord) tags (this makes \(count))")
    }

    static func refusal(ru: String, en: String) -> Violation { Violation(rule: .invalidValue, field: "tags", message: .init(ru: ru, en: en)) }
}

/// The kinds of records that carry tags.
public enum TagKind: String, Sendable, CaseIterable, Hashable {
    case deal, contact, company
}

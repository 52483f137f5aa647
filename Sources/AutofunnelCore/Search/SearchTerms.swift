/// A search query as the index reads it: folded words that must all occur in a record, or, for a query that looks like
/// a phone number, its digits as one run («+7 (916) 123-45-67», «916 123» and «9161234567» all read as digits).
public struct SearchTerms: Hashable, Sendable {
    /// The longest query read, in characters; a longer one is refused at the boundary.
    public static let maxLength = 200
    /// Words after the first this many are ignored: a query is a few words, not a document.
    public static let maxWords = 8
    /// The shortest word the trigram indexes can find by themselves; shorter words only narrow what longer ones found.
    public static let indexedLength = 3

    /// The alternatives of the query: a record matches when every word of one alternative occurs in it.
    public let alternatives: [[String]]
    /// The whole query as a tag's key (`Tag.key`): records carrying that tag match too, exactly (nil when the query
    /// cannot be a tag).
    public let tagKey: String?

    /// Reads a query; nil when it holds no word at all.
    public init?(_ query: String) {
        let folded = SearchText.fold(String(query.prefix(Self.maxLength)))
        var words: [String] = []
        for word in folded.split(whereSeparator: { $0.isWhitespace }).map(String.init) where !words.contains(word) {
            words.append(word)
            if words.count == Self.maxWords { break }
        }
        guard !words.isEmpty else { return nil }
        var alternatives = [words]
        if let digits = Self.phoneDigits(folded), digits != words.joined() { alternatives.append([digits]) }
        self.alternatives = alternatives
        let phrase = folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        tagKey = phrase.count <= Tag.maxLength && !phrase.contains(",") ? phrase : nil
    }

    /// The digits of a query made only of digits and the signs phone numbers are written with, at least three of them.
    static func phoneDigits(_ folded: String) -> String? {
        var digits = ""
        for scalar in folded.unicodeScalars {
            if scalar >= "0" && scalar <= "9" {
                digits.unicodeScalars.append(scalar)
            } else if !" +()-.\t".unicodeScalars.contains(scalar) {
                return nil
            }
        }
        return digits.count >= indexedLength ? digits : nil
    }

    /// Whether a word is long enough for a trigram index to find it.
    public static func isIndexed(_ word: String) -> Bool { word.unicodeScalars.count >= indexedLength }

    /// Whether every alternative has a word an index can find: else the query is answered by reading the rows.
    public var usesIndex: Bool { alternatives.allSatisfy { $0.contains(where: Self.isIndexed) } }

    /// Whether `text` (already folded) matches: the reference the databases are held to.
    public func matches(_ folded: String) -> Bool {
        alternatives.contains { words in words.allSatisfy { folded.contains($0) } }
    }
}

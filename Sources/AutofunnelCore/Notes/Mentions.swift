/// `@mentions` in a note. The form is `@` and a colleague's e-mail address, or only the part before its `@` when no
/// other user's address starts the same: `@ivan` or `@ivan@example.com`. The `@` opens a mention at the start of the
/// text or after anything but a letter, digit or one of `._%+-@` (so an e-mail address in the text is not one); the
/// handle is ASCII letters, digits and `._%+-`, then optionally `@` and a domain of letters, digits, `.` and `-`; a
/// full stop or hyphen that ends it belongs to the sentence, not to the handle. Case does not matter.
public enum Mentions {
    /// One `@handle` in a text: where it is (the `@` included) and the handle without the `@`.
    public struct Mention: Hashable, Sendable {
        public let range: Range<String.Index>
        public let handle: String
    }

    /// The most colleagues one note notifies; mentions past these are shown but notify nobody.
    public static let maxPerNote = 20

    /// The mentions in `text`, in order.
    public static func find(in text: String) -> [Mention] {
        var out: [Mention] = []
        var previous: Character?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "@", previous.map({ !isWordy($0) }) ?? true else {
                previous = c
                i = text.index(after: i)
                continue
            }
            var end = text.index(after: i)
            var local = end
            while local < text.endIndex, isLocal(text[local]) { local = text.index(after: local) }
            end = trimmedEnd(text, from: end, to: local)
            if local < text.endIndex, text[local] == "@" {
                var domain = text.index(after: local)
                while domain < text.endIndex, isDomain(text[domain]) { domain = text.index(after: domain) }
                let domainEnd = trimmedEnd(text, from: text.index(after: local), to: domain)
                if domainEnd > text.index(after: local), text[text.index(after: local)..<domainEnd].contains(".") { end = domainEnd }
            }
            if end > text.index(after: i) {
                out.append(Mention(range: i..<end, handle: String(text[text.index(after: i)..<end]).lowercased()))
                previous = text[text.index(before: end)]
                i = end
            } else {
                previous = c
                i = text.index(after: i)
            }
        }
        return out
    }

    /// The active user a handle names: the one whose e-mail is the handle, or the only one whose e-mail's part before
    /// `@` is; nil when none or several.
    public static func user(for handle: String, among users: [User]) -> User? {
        let handle = handle.lowercased()
        let active = users.filter(\.active)
        if handle.contains("@") { return active.first { $0.email.lowercased() == handle } }
        let matches = active.filter { $0.email.lowercased().split(separator: "@", maxSplits: 1).first.map(String.init) == handle }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The users a text mentions, each once, in order of first mention, at most `maxPerNote`.
    public static func users(in text: String, among users: [User]) -> [User] {
        var seen: Set<UserID> = []
        var out: [User] = []
        for mention in find(in: text) {
            guard let user = user(for: mention.handle, among: users), seen.insert(user.id).inserted else { continue }
            out.append(user)
            if out.count == maxPerNote { break }
        }
        return out
    }

    /// `text` cut into plain runs and the mentions `names` a user, in order, for showing mentions highlighted.
    public static func segments(_ text: String, among users: [User]) -> [(text: String, mention: Bool)] {
        var out: [(text: String, mention: Bool)] = []
        var cursor = text.startIndex
        for mention in find(in: text) where user(for: mention.handle, among: users) != nil {
            if cursor < mention.range.lowerBound { out.append((String(text[cursor..<mention.range.lowerBound]), false)) }
            out.append((String(text[mention.range]), true))
            cursor = mention.range.upperBound
        }
        if cursor < text.endIndex { out.append((String(text[cursor...]), false)) }
        return out
    }

    static func isLocal(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "._%+-".contains(c))
    }

    static func isDomain(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-")
    }

    static func isWordy(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || "._%+-@".contains(c)
    }

    /// The end of a handle run without the full stops and hyphens it ends with.
    static func trimmedEnd(_ text: String, from start: String.Index, to end: String.Index) -> String.Index {
        var end = end
        while end > start, ".-".contains(text[text.index(before: end)]) { end = text.index(before: end) }
        return end
    }
}

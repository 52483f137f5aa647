import AutofunnelCore

/// A record's tags on its card: chips that open the list (or board) filtered by the tag, and for those who may change
/// the record a form that puts tags on (comma-separated, suggesting the tags in use) and one per chip that takes it off.
struct TagChips {
    let chips: [PartyListPage.Link]
    /// Where the forms post (`add` or `remove`).
    let action: String
    let tagEdits: Bool
    let suggestions: [String]

    /// `filter` is the address of the records carrying a tag, given its name.
    init(_ tags: [Tag], action: String, edits: Bool, suggestions: [Tag], filter: (String) -> String) {
        chips = tags.map { PartyListPage.Link(href: filter($0.name), label: $0.name) }
        self.action = action
        tagEdits = edits
        self.suggestions = suggestions.map(\.name)
    }

    /// The most tags the add form suggests.
    static let suggestionLimit = 100

    /// What a card's tag form asks: tags to put on (`add`, comma-separated) or one to take off (`remove`).
    enum Change {
        case add([String])
        case remove(String)
    }

    /// The change a posted tag form asks for; nil when it asks none.
    static func change(_ form: [String: String]) -> Change? {
        if let removed = form["remove"], !removed.trimmed.isEmpty { return .remove(removed) }
        let added = (form["add"] ?? "").split(separator: ",").map(String.init).filter { !$0.trimmed.isEmpty }
        return added.isEmpty ? nil : .add(added)
    }
}

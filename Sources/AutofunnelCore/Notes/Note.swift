/// A note on a deal, a contact or a company: written by a user (or an import, or a rule), editable by its author for a
/// short while after, pinned to the top of its card by anyone who may change the record.
public struct Note: Hashable, Sendable {
    /// The one record a note belongs to.
    public enum Owner: Hashable, Sendable {
        case deal(DealID)
        case contact(ContactID)
        case company(CompanyID)
    }

    public var id: NoteID
    public var owner: Owner
    public var text: String
    public var author: UserID?
    public var createdAt: Timestamp
    /// Pinned notes show above the others on the card.
    public var pinned: Bool
    /// When its author last changed the text; nil when never.
    public var editedAt: Timestamp?

    public init(
        id: NoteID, owner: Owner, text: String, author: UserID?, createdAt: Timestamp, pinned: Bool = false, editedAt: Timestamp? = nil
    ) {
        self.id = id
        self.owner = owner
        self.text = text
        self.author = author
        self.createdAt = createdAt
        self.pinned = pinned
        self.editedAt = editedAt
    }

    /// A note on a deal.
    public init(id: NoteID, deal: DealID, text: String, author: UserID?, createdAt: Timestamp) {
        self.init(id: id, owner: .deal(deal), text: text, author: author, createdAt: createdAt)
    }

    /// The deal the note is on; nil for a contact's or company's note.
    public var deal: DealID? {
        if case .deal(let id) = owner { return id }
        return nil
    }
}

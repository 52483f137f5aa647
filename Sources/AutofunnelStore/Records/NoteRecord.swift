import AutofunnelCore
import SQLKit

/// A row of `notes`: exactly one of `deal_id`, `contact_id` and `company_id` is set.
struct NoteRecord: Codable, Sendable {
    var id: Int64?
    var deal_id: Int64?
    var contact_id: Int64?
    var company_id: Int64?
    var text: String
    var author_id: Int64?
    var created_at: Int64
    var pinned: Int64
    var edited_at: Int64?

    static let columns = ["id", "deal_id", "contact_id", "company_id", "text", "author_id", "created_at", "pinned", "edited_at"]

    init(_ owner: Note.Owner, text: String, author: UserID?, at: Timestamp, pinned: Bool = false, editedAt: Timestamp? = nil) {
        switch owner {
        case .deal(let id): deal_id = id.rawValue
        case .contact(let id): contact_id = id.rawValue
        case .company(let id): company_id = id.rawValue
        }
        self.text = text
        author_id = author?.rawValue
        created_at = at.millis
        self.pinned = pinned ? 1 : 0
        edited_at = editedAt?.millis
    }

    var owner: Note.Owner {
        if let contact_id { return .contact(ContactID(contact_id)) }
        if let company_id { return .company(CompanyID(company_id)) }
        return .deal(DealID(deal_id ?? 0))
    }

    func note() -> Note {
        Note(
            id: NoteID(id ?? 0), owner: owner, text: text, author: author_id.map(UserID.init(rawValue:)), createdAt: Timestamp(millis: created_at),
            pinned: pinned != 0, editedAt: edited_at.map(Timestamp.init(millis:)))
    }
}

import AutofunnelCore
import SQLKit

/// A row of `notes`.
struct NoteRecord: Codable, Sendable {
    var id: Int64?
    var deal_id: Int64
    var text: String
    var author_id: Int64?
    var created_at: Int64

    static let columns = ["id", "deal_id", "text", "author_id", "created_at"]

    func note() -> Note {
        Note(
            id: NoteID(id ?? 0), deal: DealID(deal_id), text: text, author: author_id.map(UserID.init(rawValue:)),
            createdAt: Timestamp(millis: created_at))
    }
}

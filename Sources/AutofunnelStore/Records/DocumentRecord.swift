import AutofunnelCore
import SQLKit

struct DocumentRecord: Codable, Sendable {
    var id: Int64?
    var deal_id: Int64
    var name: String
    var content_type: String
    var body: String
    var rule_key: String?
    var created_at: Int64

    static let columns = ["id", "deal_id", "name", "content_type", "body", "rule_key", "created_at"]

    func document() -> DealDocument {
        DealDocument(
            id: id ?? 0, deal: DealID(deal_id), name: name, contentType: content_type, body: body, rule: rule_key,
            createdAt: Timestamp(millis: created_at))
    }
}

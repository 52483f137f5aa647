import AutofunnelCore
import SQLKit

struct TimelineRecord: Decodable {
    var seq: Int64
    var deal_id: Int64
    var at: Int64
    var kind: String
    var field: String?
    var old_value: String?
    var new_value: String?
    var text: String?
    var actor_id: Int64?
    var actor_kind: String?

    func entry() throws -> TimelineEntry {
        let actor = actor_kind.flatMap(ActorKind.init(rawValue:)).map { Actor(kind: $0, userID: actor_id.map(UserID.init(rawValue:))) }
        return TimelineEntry(
            seq: seq, deal: DealID(deal_id), at: Timestamp(millis: at), kind: kind, field: field, old: old_value, new: new_value, text: text,
            actor: actor)
    }
}

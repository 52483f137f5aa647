import AutofunnelCore
import SQLKit

struct OutboxRecord: Codable, Sendable {
    var seq: Int64?
    var message_id: String
    var endpoint_id: Int64
    var event_type: String
    var payload: String
    var status: String
    var attempts: Int64
    var next_attempt_at: Int64
    var lease_owner: String?
    var lease_until: Int64?
    var last_status: Int64?
    var last_error: String?
    var created_at: Int64
    var delivered_at: Int64?

    static let columns = [
        "seq", "message_id", "endpoint_id", "event_type", "payload", "status", "attempts", "next_attempt_at", "lease_owner", "lease_until",
        "last_status", "last_error", "created_at", "delivered_at",
    ]

    func message() -> OutboxMessage {
        OutboxMessage(
            seq: seq ?? 0, id: message_id, endpoint: endpoint_id, type: event_type, payload: payload, status: .init(rawValue: status) ?? .pending,
            attempts: Int(attempts), nextAttemptAt: Timestamp(millis: next_attempt_at), lastStatus: last_status.map(Int.init), lastError: last_error,
            createdAt: Timestamp(millis: created_at), deliveredAt: delivered_at.map { Timestamp(millis: $0) })
    }
}

import AutofunnelCore
import SQLKit

struct EndpointRecord: Codable, Sendable {
    var id: Int64?
    var name: String
    var url: String
    var secret: String
    var events: String
    var active: Int64
    var disabled_reason: String?
    var created_at: Int64
    var kind: String
    var sender: String?
    var unsubscribe_text: String?

    func endpoint() -> WebhookEndpoint {
        WebhookEndpoint(
            id: id ?? 0, kind: .init(rawValue: kind) ?? .webhook, name: name, url: url, secret: secret,
            events: events.split(separator: ",").map(String.init),
            active: active != 0, disabledReason: disabled_reason, createdAt: Timestamp(millis: created_at), sender: sender,
            unsubscribeText: unsubscribe_text)
    }
}

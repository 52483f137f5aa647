import AutofunnelCore
import AutofunnelStore
import Foundation
import NIOCore
import NIOHTTP1

/// What leaves for one message: the signed POST of a webhook or messenger message, the letter of an e-mail message.
/// Built here without touching anything outside; `WebhookTransport` and `Mailer` send them.
extension OutboxDelivery {
    /// The POST of `m` to `endpoint`, signed per Standard Webhooks with the endpoint's secret at `sentAt` (whole
    /// seconds); `webhook-id` is the outbox id, the same on every attempt; it may take `timeout` to answer.
    static func signedPost(
        _ m: OutboxMessage, to endpoint: WebhookEndpoint, at destination: WebhookPolicy.Destination, sentAt: Timestamp, timeout: TimeAmount
    ) -> WebhookTransport.Post {
        let seconds = sentAt.millis / 1000
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: "Autofunnel-Webhooks/1")
        headers.add(name: "webhook-id", value: m.id)
        headers.add(name: "webhook-timestamp", value: String(seconds))
        headers.add(name: "webhook-signature", value: WebhookSigner.signature(secret: endpoint.secret, id: m.id, timestamp: seconds, body: m.payload))
        return WebhookTransport.Post(url: endpoint.url, headers: headers, body: m.payload, destination: destination, timeout: timeout)
    }

    /// The letter of an e-mail message through `channel`'s SMTP server: recipient, subject and text from the payload's
    /// `data`, the outbox id as its Message-ID. A payload without a recipient is refused as `SMTPClient.Failure` 501,
    /// which fails the message for good.
    static func letter(_ m: OutboxMessage, via channel: WebhookEndpoint, at destination: WebhookPolicy.Destination) throws -> Mailer.Letter {
        let body = (try? JSONSerialization.jsonObject(with: Data(m.payload.utf8))) as? [String: Any]
        let data = body?["data"] as? [String: Any] ?? [:]
        guard let to = data["to"] as? String else { throw SMTPClient.Failure(code: 501, text: "the message has no recipient") }
        return Mailer.Letter(
            url: channel.url, destination: destination, from: channel.sender ?? "autofunnel@localhost", to: [to],
            subject: data["subject"] as? String ?? "", text: data["text"] as? String ?? "", messageID: m.id)
    }
}

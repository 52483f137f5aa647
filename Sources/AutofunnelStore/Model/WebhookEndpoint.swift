import AutofunnelCore
import SQLKit

/// An outbox destination: a webhook endpoint (where messages go, the secret they are signed with, the event types it
/// receives), or a channel that carries messages to people: e-mail over SMTP, or a messenger gateway.
public struct WebhookEndpoint: Sendable, Hashable {
    /// What the destination is.
    public enum Kind: String, Sendable, CaseIterable { case webhook, email, messenger }
    public var id: Int64
    public var kind: Kind = .webhook
    public var name: String
    public var url: String
    public var secret: String
    /// Event types (`deal.created`, `deal.stage_changed`, …); `*` for all.
    public var events: [String]
    public var active: Bool
    public var disabledReason: String?
    public var createdAt: Timestamp
    /// A channel's sender: the e-mail `From` address.
    public var sender: String?
    /// A channel's reply that unsubscribes the contact, such as a digit.
    public var unsubscribeText: String?

    /// Whether the endpoint takes this event type (channels take none: rules send to them by name).
    public func receives(_ type: String) -> Bool { kind == .webhook && active && (events.contains("*") || events.contains(type)) }
}

import AutofunnelCore
import SQLKit

/// A message in the outbox.
public struct OutboxMessage: Sendable, Hashable {
    /// Where a message stands.
    public enum Status: String, Sendable, CaseIterable { case pending, delivered, failed }
    public var seq: Int64
    /// The stable `webhook-id`: the same on every attempt and replay.
    public var id: String
    public var endpoint: Int64
    public var type: String
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Timestamp
    public var deliveredAt: Timestamp?
}

import AutofunnelCore
import SQLKit

/// A document attached to a deal, such as a rendered offer or invoice.
public struct DealDocument: Sendable, Hashable {
    public var id: Int64
    public var deal: DealID
    public var name: String
    public var contentType: String
    public var body: String
    /// The rule that rendered it.
    public var rule: String?
    public var createdAt: Timestamp
}

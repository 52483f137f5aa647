import AutofunnelCore
import SQLKit

/// One page of a list, with the id to continue after when there is more.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextAfter: Int64?
}

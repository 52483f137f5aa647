import AutofunnelCore
import SQLKit

/// Failed sign-ins counted for throttling: how many since the last success (within the window), and the newest.
public struct FailureCount: Sendable, Equatable {
    public var count: Int
    public var last: Timestamp?
}

import AutofunnelCore
import Foundation

/// The only place the server reads the time; tests pass a fixed or stepping clock.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Timestamp
    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }

    /// The wall clock.
    public static let system = AppClock { Timestamp(millis: Int64((Date().timeIntervalSince1970 * 1000).rounded())) }
}

/// Makes lineage ids; tests pass a counter.
public struct IDSource: Sendable {
    public var lineage: @Sendable () -> LineageID
    /// A new name for one occurrence of something (a change, a timer): the exactly-once ledger keys effects by it.
    public var occurrence: @Sendable () -> String
    public init(lineage: @escaping @Sendable () -> LineageID, occurrence: @escaping @Sendable () -> String = { RandomUUID.string() }) {
        self.lineage = lineage
        self.occurrence = occurrence
    }
    /// Random UUIDs.
    public static let random = IDSource { LineageID(RandomUUID.string()) }
}

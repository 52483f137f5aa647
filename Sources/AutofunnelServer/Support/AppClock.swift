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
    public init(lineage: @escaping @Sendable () -> LineageID) { self.lineage = lineage }
    /// Random UUIDs.
    public static let random = IDSource { LineageID(UUID().uuidString.lowercased()) }
}

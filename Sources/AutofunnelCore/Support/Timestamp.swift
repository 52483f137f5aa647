/// A point in time as milliseconds since 1970-01-01T00:00:00Z. Core never reads a clock: callers pass `now`.
public struct Timestamp: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(millis: Int64) { self.rawValue = millis }
    public var millis: Int64 { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// This time moved by a number of milliseconds.
    public func adding(millis: Int64) -> Timestamp { Timestamp(millis: rawValue + millis) }
}

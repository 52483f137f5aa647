/// A point in time as milliseconds since 1970-01-01T00:00:00Z. Core never reads a clock: callers pass `now`.
public struct Timestamp: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(millis: Int64) { self.rawValue = millis }
    public var millis: Int64 { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// This time moved by a number of milliseconds. Saturates at the ends of 64 bits instead of trapping: a moment
    /// from outside is checked against `accepted` where it enters, and this keeps arithmetic on it from ever ending
    /// the process.
    public func adding(millis: Int64) -> Timestamp {
        let (sum, overflow) = rawValue.addingReportingOverflow(millis)
        return Timestamp(millis: overflow ? (millis > 0 ? .max : .min) : sum)
    }

    /// This time moved by whole days (saturating like `adding(millis:)`).
    public func adding(days: Int64) -> Timestamp { adding(millis: Self.millis(days: days) ?? (days > 0 ? .max : .min)) }

    /// Milliseconds in a number of days, nil when that does not fit 64 bits.
    public static func millis(days: Int64) -> Int64? {
        let (product, overflow) = days.multipliedReportingOverflow(by: 86_400_000)
        return overflow ? nil : product
    }

    /// The moments a caller may send: years 0001 through 9999, as RFC 3339 can write them.
    public static let accepted = Timestamp(millis: -62_135_596_800_000)...Timestamp(millis: 253_402_300_799_999)

    /// A moment sent as seconds since 1970 (amoCRM, Standard Webhooks); nil outside `accepted`.
    public init?(checkedSeconds seconds: Int64) {
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow, Self.accepted.contains(Timestamp(millis: millis)) else { return nil }
        self.init(millis: millis)
    }

    /// A moment sent as seconds with a fraction (a decoded JSON or OpenAPI date); nil when not finite or outside
    /// `accepted`. `Int64(someDouble)` traps on a value out of range; this never does.
    public init?(checkedSeconds seconds: Double) {
        let millis = (seconds * 1000).rounded()
        guard millis.isFinite, millis >= Double(Self.accepted.lowerBound.millis), millis <= Double(Self.accepted.upperBound.millis) else {
            return nil
        }
        self.init(millis: Int64(millis))
    }
}

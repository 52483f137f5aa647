import Foundation

/// A time zone people live in, by its IANA name (`Europe/Moscow`). Pages show and read times in the viewer's zone,
/// task lists cut days by it, and working hours count in it; the zone database decides daylight saving.
public struct TimeZoneName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    let zone: TimeZone

    /// A known zone name, else nil. Names longer than 64 characters are refused before the zone database is asked.
    public init?(rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count), let zone = TimeZone(identifier: rawValue),
            rawValue == "UTC" || Self.names.contains(rawValue)
        else { return nil }
        self.rawValue = rawValue
        self.zone = zone
    }

    public init?(_ name: String) { self.init(rawValue: name) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = TimeZoneName(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Unknown time zone '\(text)'"))
        }
        self = name
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func == (a: Self, b: Self) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// Coordinated Universal Time.
    public static let utc = TimeZoneName(rawValue: "UTC")!
    /// Moscow: the installation's zone unless it says otherwise.
    public static let moscow = TimeZoneName(rawValue: "Europe/Moscow")!

    /// Every zone name the database knows, sorted (for a picker).
    public static let all: [String] = TimeZone.knownTimeZoneIdentifiers.sorted()
    private static let names = Set(TimeZone.knownTimeZoneIdentifiers)

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        c.firstWeekday = 2
        return c
    }

    /// How far this zone is ahead of UTC at a moment, e.g. `+03:00`.
    public func offsetText(at t: Timestamp) -> String {
        let seconds = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.millis) / 1000))
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + Self.two(minutes / 60) + ":" + Self.two(minutes % 60)
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// Two live contacts (or two live companies) that look like one customer typed in twice, and why.
public struct DuplicatePair: Hashable, Sendable {
    /// What the two share.
    public enum Reason: String, Hashable, Sendable, Comparable {
        case phone, email, taxID = "tax_id", name
        public static func < (a: Reason, b: Reason) -> Bool { a.rawValue < b.rawValue }
    }

    /// The older record (lower id).
    public var first: Int64
    /// The newer record.
    public var second: Int64
    public var reasons: [Reason]

    public init(first: Int64, second: Int64, reasons: [Reason]) {
        self.first = first
        self.second = second
        self.reasons = reasons
    }
}

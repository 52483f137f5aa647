import Foundation

/// Reading a decoded value leniently, the way the incumbents' clients send it: names in any case, numbers as text,
/// PHP's keyed lists, `"Y"` for true. Both dialects and the amoCRM token reader use it.
extension JSONValue {
    /// A member of an object, its name matched without regard to case (`FIELDS`, `fields`).
    public subscript(lenient name: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        if let exact = o[name] { return exact }
        return o.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The members of an object, or nothing.
    public var lenientObject: [String: JSONValue] {
        if case .object(let o) = self { return o }
        return [:]
    }

    /// The value as text: strings as they are, whole numbers without a fraction, booleans as `true`/`false`.
    public var lenientText: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 9e15 ? String(Int64(n)) : String(n)
        case .bool(let b): b ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// The value as an integer (`"5"`, `5`, `5.0`) within ±(2^53 − 1), the integers JSON carries exactly; anything
    /// larger is no integer, so arithmetic on an id or a time from a caller has room and never traps.
    public var lenientInt: Int64? {
        let n: Int64? =
            switch self {
            case .number(let n): n.rounded() == n && abs(n) < 9e15 ? Int64(n) : nil
            case .string(let s): Int64(s.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        guard let n, n.magnitude <= Self.lenientIntLimit else { return nil }
        return n
    }

    /// The largest integer magnitude the dialects accept: 2^53 − 1.
    public static let lenientIntLimit: UInt64 = 9_007_199_254_740_991

    /// A list: an array, an object with keys `0…n-1` (PHP's form of a list) in key order, or one value.
    public var lenientItems: [JSONValue] {
        switch self {
        case .array(let a): return a
        case .object(let o):
            return o.sorted { (Int($0.key) ?? Int.max, $0.key) < (Int($1.key) ?? Int.max, $1.key) }.map(\.value)
        case .null: return []
        default: return [self]
        }
    }

    /// A flag as Bitrix24 clients send it: `true`, `1`, `"Y"`, `"true"`, `"True"`.
    public var lenientFlag: Bool {
        switch self {
        case .bool(let b): b
        case .number(let n): n != 0
        case .string(let s): ["1", "y", "true", "yes"].contains(s.lowercased())
        default: false
        }
    }
}

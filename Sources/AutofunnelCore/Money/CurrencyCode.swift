/// An active ISO 4217 currency code such as `RUB` or `USD`.
public struct CurrencyCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String

    /// A code from the ISO 4217 list, or nil for anything else (case-sensitive: codes are upper-case).
    public init?(_ code: String) {
        guard Self.iso4217[code] != nil else { return nil }
        self.code = code
    }

    /// Digits after the decimal point that the currency uses (2 for RUB, 0 for JPY, 3 for KWD).
    public var minorUnitDigits: Int { Self.iso4217[code] ?? 2 }
    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = CurrencyCode(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(raw) is not an ISO 4217 currency code"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }
}

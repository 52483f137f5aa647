/// An exact, non-negative amount of money in one currency. Stored as a count of 1/10,000 units; never a floating-point number.
public struct Money: Hashable, Sendable, Codable {
    /// How many ten-thousandths make one unit of the currency.
    public static let scale: Int64 = 10_000
    /// The most digits before the decimal point: 14, so that any amount fits 64 bits at scale 10,000.
    public static let maximumWholeDigits = 14

    /// The amount in ten-thousandths of a unit.
    public let scaledUnits: Int64
    public let currency: CurrencyCode

    public init(scaledUnits: Int64, currency: CurrencyCode) {
        self.scaledUnits = scaledUnits
        self.currency = currency
    }

    /// Why a text could not become an amount.
    public enum ParseError: Error, Hashable, Sendable {
        case notADecimal, negative, tooManyFractionDigits, tooLarge
    }

    /// Parses an exact decimal such as `1500`, `1500.5` or `0.0001`. Refuses signs, exponents, `NaN`, `Infinity`
    /// and more fraction digits than the currency has (JPY takes none, RUB two, KWD three).
    public static func parse(_ text: String, currency: CurrencyCode) -> Result<Money, ParseError> {
        // Over the UTF-8 bytes: an import parses a few amounts a row, and `Character` was a tenth of its time.
        let zero = UInt8(ascii: "0")
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { return .failure(.negative) }
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(dot ?? bytes.endIndex)]
        let fraction = dot.map { bytes[($0 + 1)...] } ?? bytes[bytes.endIndex...]
        func digits(_ part: ArraySlice<UInt8>) -> Bool { part.allSatisfy { $0 &- zero < 10 } }
        guard !whole.isEmpty, digits(whole), dot == nil || (!fraction.isEmpty && digits(fraction)) else { return .failure(.notADecimal) }
        let significantFraction = fraction.count - fraction.reversed().prefix { $0 == zero }.count
        if significantFraction > currency.minorUnitDigits { return .failure(.tooManyFractionDigits) }
        let trimmedWhole = whole.drop { $0 == zero }
        guard trimmedWhole.count <= maximumWholeDigits else { return .failure(.tooLarge) }
        let units = trimmedWhole.reduce(Int64(0)) { $0 * 10 + Int64($1 &- zero) }
        var fractionUnits: Int64 = 0
        for (i, b) in fraction.prefix(4).enumerated() { fractionUnits += Int64(b &- zero) * [1000, 100, 10, 1][i] }
        return .success(Money(scaledUnits: units * scale + fractionUnits, currency: currency))
    }

    /// The amount as a decimal text with the currency's minor digits, e.g. `1500.50` for RUB or `1500` for JPY.
    public var decimalText: String {
        let whole = scaledUnits / Self.scale
        let digits = currency.minorUnitDigits
        guard digits > 0 else { return String(whole) }
        var fraction = String(scaledUnits % Self.scale)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        return "\(whole).\(fraction.prefix(digits))"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

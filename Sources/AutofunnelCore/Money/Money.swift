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
        var s = Substring(text)
        if s.first == "-" { return .failure(.negative) }
        if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return .failure(.notADecimal) }
        let fraction = parts.count == 2 ? parts[1] : ""
        if parts.count == 2 && (fraction.isEmpty || !fraction.allSatisfy(\.isASCIIDigit)) { return .failure(.notADecimal) }
        let significantFraction = fraction.reversed().drop(while: { $0 == "0" })
        if significantFraction.count > currency.minorUnitDigits { return .failure(.tooManyFractionDigits) }
        let trimmedWhole = whole.drop(while: { $0 == "0" })
        guard trimmedWhole.count <= maximumWholeDigits, let units = Int64(trimmedWhole.isEmpty ? "0" : String(trimmedWhole)) else {
            return .failure(.tooLarge)
        }
        var fractionUnits: Int64 = 0
        for (i, ch) in fraction.prefix(4).enumerated() {
            fractionUnits += Int64(ch.asciiValue! - 48) * [1000, 100, 10, 1][i]
        }
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

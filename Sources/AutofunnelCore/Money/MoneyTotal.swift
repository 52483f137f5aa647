/// A sum of amounts in one currency, as reports show it. One amount fits 64 bits (`Money.maximumWholeDigits`), but a
/// sum of many does not: a total is kept in 128 bits, which no count of stored deals can overflow (it would take more
/// than 10^19 of the largest amount), so every report total is exact and never traps.
public struct MoneyTotal: Hashable, Sendable {
    /// The total in ten-thousandths of a unit.
    public let scaledUnits: Int128
    public let currency: CurrencyCode

    public init(scaledUnits: Int128, currency: CurrencyCode) {
        self.scaledUnits = scaledUnits
        self.currency = currency
    }

    /// A total of one amount.
    public init(_ money: Money) { self.init(scaledUnits: Int128(money.scaledUnits), currency: money.currency) }

    /// Zero in a currency.
    public static func zero(_ currency: CurrencyCode) -> MoneyTotal { MoneyTotal(scaledUnits: 0, currency: currency) }

    /// This total with an amount of the same currency added.
    public func adding(_ money: Money) -> MoneyTotal {
        precondition(money.currency == currency, "a total sums one currency")
        return MoneyTotal(scaledUnits: scaledUnits + Int128(money.scaledUnits), currency: currency)
    }

    /// The total as a decimal text with the currency's minor digits, e.g. `1500.50` for RUB or `1500` for JPY.
    public var decimalText: String {
        let sign = scaledUnits < 0 ? "-" : ""
        let magnitude = scaledUnits.magnitude
        let whole = magnitude / UInt128(Money.scale)
        let digits = currency.minorUnitDigits
        guard digits > 0 else { return sign + String(whole) }
        var fraction = String(magnitude % UInt128(Money.scale))
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        return "\(sign)\(whole).\(fraction.prefix(digits))"
    }

    /// A total summed by the database in two parts so that neither overflows 64 bits: the sum of `amount / 10^9` and
    /// the sum of `amount % 10^9` (see `StoreSession`'s grouped sums).
    public init(high: Int64, low: Int64, currency: CurrencyCode) {
        self.init(scaledUnits: Self.joined(high: high, low: low), currency: currency)
    }

    /// The scaled units of a two-part sum.
    public static func joined(high: Int64, low: Int64) -> Int128 { Int128(high) * Int128(splitDivisor) + Int128(low) }

    /// The divisor of the two-part sum.
    public static let splitDivisor: Int64 = 1_000_000_000
}

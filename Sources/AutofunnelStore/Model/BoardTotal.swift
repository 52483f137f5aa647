import AutofunnelCore
import SQLKit

/// The open deals of one stage and currency on a board: how many, and their sum.
public struct BoardTotal: Sendable, Equatable {
    public var stage: StageKey
    public var currency: CurrencyCode?
    public var count: Int
    /// The sum in ten-thousandths of a unit; 128 bits, as `MoneyTotal` keeps it.
    public var scaledUnits: Int128
}

import AutofunnelCore
import SQLKit

/// Tables of records that are deleted softly.
public enum PartyTable: String, Sendable {
    case contacts, companies
    var entity: String { self == .contacts ? "contact" : "company" }
    /// The column of `deals` that links to a row of this table.
    var dealColumn: String { self == .contacts ? "contact_id" : "company_id" }
}

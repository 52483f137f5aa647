import AutofunnelCore

/// What a search found, by kind, newest first, at most the limit asked of each kind.
public struct SearchResults: Sendable {
    public var deals: [Deal]
    public var contacts: [Contact]
    public var companies: [Company]
    /// The kinds that have more matches than were returned.
    public var moreDeals: Bool
    public var moreContacts: Bool
    public var moreCompanies: Bool

    /// Nothing found (a query without words).
    public static let empty = SearchResults(deals: [], contacts: [], companies: [], moreDeals: false, moreContacts: false, moreCompanies: false)
}

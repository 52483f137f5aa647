import AutofunnelCore

/// What a search may look through for one caller: the deals they may list, and whether they may search contacts by
/// phones and e-mails and companies by tax id (roles that cannot see those fields find records by name only).
public struct SearchScope: Hashable, Sendable {
    public var deals: DealScope
    public var contactDetails: Bool
    public var companyDetails: Bool

    public init(deals: DealScope, contactDetails: Bool, companyDetails: Bool) {
        self.deals = deals
        self.contactDetails = contactDetails
        self.companyDetails = companyDetails
    }
}

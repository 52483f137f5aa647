import AutofunnelCore

/// What the contacts and companies pages list: a text that finds a name (for contacts also a phone by its digits and
/// an e-mail), filters, an order and one numbered page.
public struct PartyListQuery: Sendable, Equatable {
    /// The orders a list offers; the id always follows, so pages never overlap.
    public enum Order: String, Sendable, CaseIterable {
        case name, created, updated
        var column: String {
            switch self {
            case .name: "name"
            case .created: "created_at"
            case .updated: "updated_at"
            }
        }
    }

    public var text: String?
    /// Those with a deal (seen through `scope`) that this user is responsible for. Contacts and companies have no
    /// responsible of their own: the responsible is a deal's.
    public var responsible: UserID?
    /// Contacts of this segment; companies with a contact of it.
    public var segment: String?
    /// Those carrying the tag with this key (`Tag.key`).
    public var tag: String?
    /// Those with (true) or without (false) an open deal seen through `scope`.
    public var openDeals: Bool?
    /// Created at or after this time.
    public var createdFrom: Timestamp?
    /// Created before this time.
    public var createdBefore: Timestamp?
    /// The deals the `responsible` and `openDeals` filters look at; nil for every deal.
    public var scope: DealScope?
    public var order: Order
    public var descending: Bool
    public var offset: Int
    public var limit: Int

    public init(
        text: String? = nil, responsible: UserID? = nil, segment: String? = nil, openDeals: Bool? = nil, createdFrom: Timestamp? = nil,
        createdBefore: Timestamp? = nil, scope: DealScope? = nil, order: Order = .name, descending: Bool = false, offset: Int = 0,
        limit: Int = 50, tag: String? = nil
    ) {
        self.tag = tag
        self.text = text
        self.responsible = responsible
        self.segment = segment
        self.openDeals = openDeals
        self.createdFrom = createdFrom
        self.createdBefore = createdBefore
        self.scope = scope
        self.order = order
        self.descending = descending
        self.offset = offset
        self.limit = limit
    }
}

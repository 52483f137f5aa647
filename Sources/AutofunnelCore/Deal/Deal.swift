/// Whether a deal is still being worked on, or closed and how.
public enum DealStatus: String, Hashable, Sendable, Codable, CaseIterable { case open, won, lost }

/// The thing being sold.
public struct Deal: Hashable, Sendable {
    public var id: DealID
    public var lineage: LineageID
    public var pipeline: PipelineKey
    public var stage: StageKey
    public var status: DealStatus
    public var title: String
    public var amount: Money?
    public var responsible: UserID?
    public var headOfSales: UserID?
    public var contact: ContactID?
    public var company: CompanyID?
    public var source: String?
    /// Custom field values in their stored form.
    public var fields: [FieldKey: JSONValue]
    public var lossComment: String?
    public var copiedFrom: DealID?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var stageEnteredAt: Timestamp
    public var closedAt: Timestamp?

    public init(
        id: DealID, lineage: LineageID, pipeline: PipelineKey, stage: StageKey, status: DealStatus = .open, title: String,
        amount: Money? = nil, responsible: UserID? = nil, headOfSales: UserID? = nil, contact: ContactID? = nil,
        company: CompanyID? = nil, source: String? = nil, fields: [FieldKey: JSONValue] = [:], lossComment: String? = nil,
        copiedFrom: DealID? = nil, createdAt: Timestamp, updatedAt: Timestamp? = nil, stageEnteredAt: Timestamp? = nil, closedAt: Timestamp? = nil
    ) {
        self.id = id
        self.lineage = lineage
        self.pipeline = pipeline
        self.stage = stage
        self.status = status
        self.title = title
        self.amount = amount
        self.responsible = responsible
        self.headOfSales = headOfSales
        self.contact = contact
        self.company = company
        self.source = source
        self.fields = fields
        self.lossComment = lossComment
        self.copiedFrom = copiedFrom
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.stageEnteredAt = stageEnteredAt ?? createdAt
        self.closedAt = closedAt
    }
}

/// A person on the customer side.
public struct Contact: Hashable, Sendable {
    public var id: ContactID
    public var name: String
    public var phones: [String]
    public var emails: [String]
    public var company: CompanyID?
    public var fields: [FieldKey: JSONValue]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: ContactID, name: String, phones: [String] = [], emails: [String] = [], company: CompanyID? = nil,
        fields: [FieldKey: JSONValue] = [:], createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.name = name
        self.phones = phones
        self.emails = emails
        self.company = company
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// An organisation on the customer side.
public struct Company: Hashable, Sendable {
    public var id: CompanyID
    public var name: String
    public var fields: [FieldKey: JSONValue]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: CompanyID, name: String, fields: [FieldKey: JSONValue] = [:], createdAt: Timestamp, updatedAt: Timestamp? = nil) {
        self.id = id
        self.name = name
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// A deal with the contact and company it refers to, as the transition rules read it.
public struct DealSnapshot: Hashable, Sendable {
    public var deal: Deal
    public var contact: Contact?
    public var company: Company?
    /// The keys (`Tag.key`) of the deal's tags, for rules' `has_tag` conditions.
    public var tags: Set<String>
    public init(deal: Deal, contact: Contact? = nil, company: Company? = nil, tags: Set<String> = []) {
        self.deal = deal
        self.contact = contact
        self.company = company
        self.tags = tags
    }
}

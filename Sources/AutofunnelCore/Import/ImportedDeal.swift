/// A deal read from an import file, its references resolved to ours: what the import writes.
public struct ImportedDeal: Sendable, Equatable {
    /// The file's row (1 is the header) where the record starts.
    public var row: Int
    public var externalID: String
    public var pipeline: PipelineKey
    /// The stage the deal is in now (a won or lost stage when it is closed).
    public var stage: StageKey
    public var title: String
    public var amount: Money?
    public var responsible: UserID?
    public var headOfSales: UserID?
    public var contact: ImportedParty?
    public var company: ImportedParty?
    public var source: String?
    public var createdAt: Timestamp
    public var stageEnteredAt: Timestamp?
    public var closedAt: Timestamp?
    public var lossComment: String?
    /// The deal's lineage in the source (deals copied across pipelines share one); nil for a new lineage.
    public var lineage: String?
    /// Custom field values by key, as text (the field's type reads them when the deal is written).
    public var fields: [String: JSONValue]
    /// The deal's tags (those of the cell that are valid tags, at most `Tag.maxPerRecord`).
    public var tags: [Tag] = []

    public init(
        row: Int, externalID: String, pipeline: PipelineKey, stage: StageKey, title: String, amount: Money? = nil, responsible: UserID? = nil,
        headOfSales: UserID? = nil, contact: ImportedParty? = nil, company: ImportedParty? = nil, source: String? = nil, createdAt: Timestamp,
        stageEnteredAt: Timestamp? = nil, closedAt: Timestamp? = nil, lossComment: String? = nil, lineage: String? = nil,
        fields: [String: JSONValue] = [:]
    ) {
        self.lineage = lineage
        self.row = row
        self.externalID = externalID
        self.pipeline = pipeline
        self.stage = stage
        self.title = title
        self.amount = amount
        self.responsible = responsible
        self.headOfSales = headOfSales
        self.contact = contact
        self.company = company
        self.source = source
        self.createdAt = createdAt
        self.stageEnteredAt = stageEnteredAt
        self.closedAt = closedAt
        self.lossComment = lossComment
        self.fields = fields
    }
}

/// A contact or company named on an imported deal's row.
public struct ImportedParty: Sendable, Equatable {
    /// Its id in the source, when the file has one (Autofunnel's export does; amoCRM's deal export does not).
    public var externalID: String?
    public var name: String
    public var phones: [String]
    public var emails: [String]

    public init(externalID: String? = nil, name: String, phones: [String] = [], emails: [String] = []) {
        self.externalID = externalID
        self.name = name
        self.phones = phones
        self.emails = emails
    }
}

/// One stage change of an imported deal's history, in the order it happened.
public struct ImportedMove: Sendable, Equatable {
    public var row: Int
    public var dealExternalID: String
    /// The stage left; nil for the row that created the deal.
    public var from: StageKey?
    public var to: StageKey
    public var at: Timestamp
    /// Who moved it, when a user did.
    public var by: UserID?
    /// The deal's responsible and amount after the move, when the history says (the reports by responsible and the
    /// forecast read them from the stage log).
    public var responsible: UserID?
    public var amount: Money?
    /// Why it moved there (`move`, `close`, `reopen`, …), when the history says; `import` otherwise.
    public var cause: String?

    public init(
        row: Int, dealExternalID: String, from: StageKey?, to: StageKey, at: Timestamp, by: UserID? = nil, responsible: UserID? = nil,
        amount: Money? = nil, cause: String? = nil
    ) {
        self.cause = cause
        self.row = row
        self.dealExternalID = dealExternalID
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.responsible = responsible
        self.amount = amount
    }
}

/// Why a row of an import file cannot be taken, with where it is.
public struct ImportProblem: Error, Sendable, Equatable {
    /// A value the mapping does not resolve (a stage, a user, a pipeline): `--skip-unmapped` lets a run go on without it.
    public var unmapped: Bool
    public var row: Int
    public var column: String?
    public var message: String

    public init(row: Int, column: String? = nil, _ message: String, unmapped: Bool = false) {
        self.row = row
        self.column = column
        self.message = message
        self.unmapped = unmapped
    }
}

/// One row of the append-only stage log: an accepted transition, with who made it and what the deal was worth then.
public struct StageLogEntry: Hashable, Sendable {
    /// Position in the log, assigned when stored.
    public var seq: Int64
    public var deal: DealID
    public var lineage: LineageID
    public var pipeline: PipelineKey
    /// Nil for the row written when a deal is created.
    public var from: StageKey?
    public var to: StageKey
    public var at: Timestamp
    public var actor: Actor
    /// `created`, `move`, `close`, `copy`, `reopen: <reason>`, …
    public var cause: String
    /// The responsible at that moment: per-manager analytics attribute each step to them.
    public var responsible: UserID?
    /// The amount at that moment.
    public var amount: Money?
    /// When the deal was created: reports pick their deals by it straight from the log.
    public var dealCreatedAt: Timestamp

    public init(
        seq: Int64 = 0, deal: DealID, lineage: LineageID, pipeline: PipelineKey, from: StageKey?, to: StageKey, at: Timestamp, actor: Actor,
        cause: String, responsible: UserID?, amount: Money?, dealCreatedAt: Timestamp
    ) {
        self.seq = seq
        self.deal = deal
        self.lineage = lineage
        self.pipeline = pipeline
        self.from = from
        self.to = to
        self.at = at
        self.actor = actor
        self.cause = cause
        self.responsible = responsible
        self.amount = amount
        self.dealCreatedAt = dealCreatedAt
    }

    /// The row for a deal entering `deal.stage` (after a move, a creation or a copy).
    public init(entering deal: Deal, from: StageKey?, actor: Actor, cause: String, at: Timestamp) {
        self.init(
            deal: deal.id, lineage: deal.lineage, pipeline: deal.pipeline, from: from, to: deal.stage, at: at, actor: actor, cause: cause,
            responsible: deal.responsible, amount: deal.amount, dealCreatedAt: deal.createdAt)
    }
}

/// One entry of a deal's timeline: a field change, a stage change, a note, a reopen.
public struct TimelineEntry: Hashable, Sendable {
    public var seq: Int64
    public var deal: DealID
    public var at: Timestamp
    /// `created`, `field`, `stage`, `note`, `reopen`, `copy`.
    public var kind: String
    public var field: String?
    public var old: String?
    public var new: String?
    public var text: String?
    public var actor: Actor?

    public init(
        seq: Int64 = 0, deal: DealID, at: Timestamp, kind: String, field: String? = nil, old: String? = nil, new: String? = nil,
        text: String? = nil, actor: Actor?
    ) {
        self.seq = seq
        self.deal = deal
        self.at = at
        self.kind = kind
        self.field = field
        self.old = old
        self.new = new
        self.text = text
        self.actor = actor
    }
}

/// Which deals a report counts: those that entered a pipeline within a period, narrowed by filters.
public struct ReportScope: Hashable, Sendable {
    public var pipeline: PipelineKey
    /// Inclusive start of the period (deal creation time).
    public var from: Timestamp
    /// Exclusive end of the period.
    public var to: Timestamp
    public var responsible: UserID?
    public var source: String?
    /// Only deals whose contact's `segment` field has this value.
    public var segment: String?
    public var currency: CurrencyCode?

    public init(
        pipeline: PipelineKey, from: Timestamp, to: Timestamp, responsible: UserID? = nil, source: String? = nil, segment: String? = nil,
        currency: CurrencyCode? = nil
    ) {
        self.pipeline = pipeline
        self.from = from
        self.to = to
        self.responsible = responsible
        self.source = source
        self.segment = segment
        self.currency = currency
    }

    /// Whether a filter narrows the deals beyond the pipeline and the period.
    public var isFiltered: Bool { responsible != nil || source != nil || segment != nil || currency != nil }
}

/// The counts the conversion report is made from, as the store reads them from the stage log.
public struct FunnelCounts: Hashable, Sendable {
    /// Deals by the furthest position they reached: open stage index, or the open-stage count for won.
    public var byFurthestIndex: [Int: Int]
    /// Distinct deals that entered each stage (skips do not enter).
    public var entered: [StageKey: Int]
    /// Moves out of each open stage, and how many of them went backward.
    public var movesOut: [StageKey: Int]
    public var backwardOut: [StageKey: Int]
    /// Deals in scope by their status now.
    public var byStatus: [DealStatus: Int]

    public init(
        byFurthestIndex: [Int: Int], entered: [StageKey: Int], movesOut: [StageKey: Int], backwardOut: [StageKey: Int], byStatus: [DealStatus: Int]
    ) {
        self.byFurthestIndex = byFurthestIndex
        self.entered = entered
        self.movesOut = movesOut
        self.backwardOut = backwardOut
        self.byStatus = byStatus
    }
}

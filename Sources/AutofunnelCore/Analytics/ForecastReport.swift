/// Expected revenue by expected close month: each open deal's amount times its stage's probability — the stage's
/// configured one, or else the share of deals that entered the stage and were won — in the month it is expected to
/// close: when it entered its stage plus the median time deals took from that stage to won (now, if that is past).
public struct ForecastReport: Hashable, Sendable {
    /// How likely a deal in a stage is to be won, and how long it takes.
    public struct StageOdds: Hashable, Sendable {
        public var stage: StageKey
        public var name: Localized
        /// 0…1; nil when the stage has no configured probability and no history.
        public var probability: Double?
        /// `configured`, `history` or `none`.
        public var source: String
        /// Deals that entered the stage, and of them the won ones (the history behind the probability).
        public var entered: Int
        public var won: Int
        /// Median time from entering the stage to won, of the won ones.
        public var medianMillisToWon: Int64?
        /// Open deals in the stage now.
        public var open: Int
    }

    /// Expected revenue of one month and currency.
    public struct Row: Hashable, Sendable {
        /// `2026-11`.
        public var month: String
        public var currency: CurrencyCode
        public var deals: Int
        /// The open amounts, and the amounts weighted by probability.
        public var amount: MoneyTotal
        public var expected: MoneyTotal
    }

    /// An open deal as the forecast reads it.
    public struct OpenDeal: Hashable, Sendable {
        public var stage: StageKey
        public var amount: Money?
        public var stageEnteredAt: Timestamp
        public init(stage: StageKey, amount: Money?, stageEnteredAt: Timestamp) {
            self.stage = stage
            self.amount = amount
            self.stageEnteredAt = stageEnteredAt
        }
    }

    /// What the stage log says of one stage: deals that entered it, of those the won ones, and their times to won.
    public struct History: Hashable, Sendable {
        public var entered: Int
        public var won: Int
        public var millisToWon: [Int64]
        public init(entered: Int, won: Int, millisToWon: [Int64]) {
            self.entered = entered
            self.won = won
            self.millisToWon = millisToWon
        }
    }

    public var pipeline: PipelineKey
    public var stages: [StageOdds]
    /// By month, then currency.
    public var rows: [Row]

    public init(pipeline: Pipeline, open: [OpenDeal], history: [StageKey: History], now: Timestamp) {
        self.pipeline = pipeline.key
        var odds: [StageKey: StageOdds] = [:]
        for stage in pipeline.openStages {
            let h = history[stage.key] ?? History(entered: 0, won: 0, millisToWon: [])
            let sorted = h.millisToWon.sorted()
            let median = sorted.isEmpty ? nil : sorted[(sorted.count - 1) / 2]
            let (probability, source): (Double?, String) =
                if let p = stage.probability { (Double(p) / 100, "configured") } else if h.entered > 0 {
                    (Double(h.won) / Double(h.entered), "history")
                } else { (nil, "none") }
            odds[stage.key] = StageOdds(
                stage: stage.key, name: stage.name, probability: probability, source: source, entered: h.entered, won: h.won,
                medianMillisToWon: median, open: 0)
        }
        // The probability as an exact fraction, so that expected amounts are exact (a Double loses kopecks on large sums).
        var fractions: [StageKey: (Int128, Int128)] = [:]
        for stage in pipeline.openStages {
            let h = history[stage.key] ?? History(entered: 0, won: 0, millisToWon: [])
            if let p = stage.probability {
                fractions[stage.key] = (Int128(p), 100)
            } else if h.entered > 0 {
                fractions[stage.key] = (Int128(h.won), Int128(h.entered))
            }
        }
        var sums: [String: (deals: Int, amount: Int128, expected: Int128)] = [:]
        for deal in open {
            guard var o = odds[deal.stage] else { continue }
            o.open += 1
            odds[deal.stage] = o
            guard let amount = deal.amount, o.probability != nil, let (numerator, denominator) = fractions[deal.stage] else { continue }
            let close = max(now, deal.stageEnteredAt.adding(millis: o.medianMillisToWon ?? 0))
            let key = CalendarMonth.of(close) + " " + amount.currency.code
            var sum = sums[key] ?? (0, 0, 0)
            sum.deals += 1
            sum.amount += Int128(amount.scaledUnits)
            // Rounded half up, as the Double it replaces rounded.
            sum.expected += (Int128(amount.scaledUnits) * numerator * 2 + denominator) / (2 * denominator)
            sums[key] = sum
        }
        stages = pipeline.openStages.compactMap { odds[$0.key] }
        rows = sums.keys.sorted().compactMap { key in
            let parts = key.split(separator: " ")
            guard parts.count == 2, let currency = CurrencyCode(String(parts[1])), let s = sums[key] else { return nil }
            return Row(
                month: String(parts[0]), currency: currency, deals: s.deals, amount: MoneyTotal(scaledUnits: s.amount, currency: currency),
                expected: MoneyTotal(scaledUnits: s.expected, currency: currency))
        }
    }
}

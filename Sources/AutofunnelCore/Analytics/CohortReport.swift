/// Deals by the week or month they were created, and how many of them were won (in time) or lost.
public struct CohortReport: Hashable, Sendable {
    /// How deals are grouped.
    public enum Period: String, Hashable, Sendable { case week, month }

    /// One cohort.
    public struct Row: Hashable, Sendable {
        /// `2026-11` for a month, the Monday `2026-11-16` for a week.
        public var cohort: String
        public var created: Int
        public var won: Int
        public var lost: Int
        public var open: Int
        /// Won within 30 and 90 days of creation.
        public var wonWithin30Days: Int
        public var wonWithin90Days: Int
        public var conversion: Double { created == 0 ? 0 : Double(won) / Double(created) }

        public init(cohort: String, created: Int = 0, won: Int = 0, lost: Int = 0, open: Int = 0, wonWithin30Days: Int = 0, wonWithin90Days: Int = 0)
        {
            self.cohort = cohort
            self.created = created
            self.won = won
            self.lost = lost
            self.open = open
            self.wonWithin30Days = wonWithin30Days
            self.wonWithin90Days = wonWithin90Days
        }
    }

    /// Counts per creation day and status, as the store reads them.
    public struct DayCount: Hashable, Sendable {
        public var day: Int64
        public var status: DealStatus
        public var count: Int
        public var wonWithin30Days: Int
        public var wonWithin90Days: Int
        public init(day: Int64, status: DealStatus, count: Int, wonWithin30Days: Int, wonWithin90Days: Int) {
            self.day = day
            self.status = status
            self.count = count
            self.wonWithin30Days = wonWithin30Days
            self.wonWithin90Days = wonWithin90Days
        }
    }

    public var scope: ReportScope
    public var period: Period
    public var rows: [Row]

    /// Groups the daily counts into weeks or months.
    public init(scope: ReportScope, period: Period, days: [DayCount]) {
        self.scope = scope
        self.period = period
        var rows: [String: Row] = [:]
        for d in days {
            let key = period == .week ? CalendarMonth.week(ofDay: d.day) : CalendarMonth.month(ofDay: d.day)
            var row = rows[key] ?? Row(cohort: key)
            row.created += d.count
            switch d.status {
            case .won: row.won += d.count
            case .lost: row.lost += d.count
            case .open: row.open += d.count
            }
            row.wonWithin30Days += d.wonWithin30Days
            row.wonWithin90Days += d.wonWithin90Days
            rows[key] = row
        }
        self.rows = rows.keys.sorted().map { rows[$0]! }
    }
}

/// Why deals were lost: per loss reason (a lost stage), with amounts per currency and where in the funnel they were lost.
public struct LossReport: Hashable, Sendable {
    /// One loss reason.
    public struct Reason: Hashable, Sendable {
        public var reason: StageKey
        public var name: Localized
        public var count: Int
        /// Sum of the lost deals' amounts, per currency (never converted).
        public var amounts: [Money]
        /// How many were lost from each stage.
        public var fromStage: [StageKey: Int]
        /// Some recent loss comments.
        public var comments: [String]

        public init(reason: StageKey, name: Localized, count: Int, amounts: [Money], fromStage: [StageKey: Int], comments: [String]) {
            self.reason = reason
            self.name = name
            self.count = count
            self.amounts = amounts
            self.fromStage = fromStage
            self.comments = comments
        }
    }

    public var scope: ReportScope
    public var reasons: [Reason]

    public init(scope: ReportScope, reasons: [Reason]) {
        self.scope = scope
        self.reasons = reasons
    }
}

/// Won deals and their revenue per calendar month (UTC) and currency.
public struct RevenueReport: Hashable, Sendable {
    /// One month in one currency.
    public struct Row: Hashable, Sendable {
        /// `2026-11`.
        public var month: String
        public var currency: CurrencyCode?
        public var won: Int
        public var revenue: Money?
    }

    public var scope: ReportScope
    public var rows: [Row]

    /// Groups won deals, given as (closed at, amount), by month and currency.
    public init(scope: ReportScope, won: [(Timestamp, Money?)]) {
        self.scope = scope
        var groups: [String: (month: String, currency: CurrencyCode?, won: Int, units: Int64)] = [:]
        for (at, money) in won {
            let month = CalendarMonth.of(at)
            let key = "\(month) \(money?.currency.code ?? "")"
            var g = groups[key] ?? (month, money?.currency, 0, 0)
            g.won += 1
            g.units += money?.scaledUnits ?? 0
            groups[key] = g
        }
        rows = groups.keys.sorted().map { key in
            let g = groups[key]!
            return Row(month: g.month, currency: g.currency, won: g.won, revenue: g.currency.map { Money(scaledUnits: g.units, currency: $0) })
        }
    }
}

/// Calendar months of timestamps in UTC, without a date library.
public enum CalendarMonth {
    /// `YYYY-MM` of a timestamp (UTC).
    public static func of(_ t: Timestamp) -> String {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let days = Int64((Double(t.millis) / 86_400_000).rounded(.down))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(month < 10 ? "0" : "")\(month)"
    }
}

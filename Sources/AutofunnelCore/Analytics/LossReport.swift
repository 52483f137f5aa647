/// Why deals were lost: per loss reason (a lost stage), with amounts per currency and where in the funnel they were lost.
public struct LossReport: Hashable, Sendable {
    /// One loss reason.
    public struct Reason: Hashable, Sendable {
        public var reason: StageKey
        public var name: Localized
        public var count: Int
        /// Sum of the lost deals' amounts, per currency (never converted).
        public var amounts: [MoneyTotal]
        /// How many were lost from each stage.
        public var fromStage: [StageKey: Int]
        /// Some recent loss comments.
        public var comments: [String]

        public init(reason: StageKey, name: Localized, count: Int, amounts: [MoneyTotal], fromStage: [StageKey: Int], comments: [String]) {
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
        public var revenue: MoneyTotal?
    }

    public var scope: ReportScope
    public var rows: [Row]

    /// Groups won deals, given as (closed at, amount), by month and currency.
    public init(scope: ReportScope, won: [(Timestamp, Money?)]) {
        self.scope = scope
        var groups: [String: (month: String, currency: CurrencyCode?, won: Int, units: Int128)] = [:]
        for (at, money) in won {
            let month = CalendarMonth.of(at)
            let key = "\(month) \(money?.currency.code ?? "")"
            var g = groups[key] ?? (month, money?.currency, 0, 0)
            g.won += 1
            g.units += Int128(money?.scaledUnits ?? 0)
            groups[key] = g
        }
        rows = groups.keys.sorted().map { key in
            let g = groups[key]!
            return Row(month: g.month, currency: g.currency, won: g.won, revenue: g.currency.map { MoneyTotal(scaledUnits: g.units, currency: $0) })
        }
    }
}

/// Calendar dates of timestamps in UTC, without a date library.
public enum CalendarMonth {
    /// The civil date (year, month, day) of a day number counted from 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(day days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, doy - (153 * mp + 2) / 5 + 1)
    }

    /// The day number of a timestamp (UTC).
    public static func dayNumber(_ t: Timestamp) -> Int64 { Int64((Double(t.millis) / 86_400_000).rounded(.down)) }

    /// `YYYY-MM` of a day number.
    public static func month(ofDay day: Int64) -> String {
        let c = civil(day: day)
        return "\(c.year)-\(c.month < 10 ? "0" : "")\(c.month)"
    }

    /// `YYYY-MM-DD` of the Monday that starts the week of a day number.
    public static func week(ofDay day: Int64) -> String {
        // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
        let monday = day - ((day % 7 + 7 + 3) % 7)
        let c = civil(day: monday)
        return "\(c.year)-\(c.month < 10 ? "0" : "")\(c.month)-\(c.day < 10 ? "0" : "")\(c.day)"
    }

    /// `YYYY-MM` of a timestamp (UTC).
    public static func of(_ t: Timestamp) -> String { month(ofDay: dayNumber(t)) }
}

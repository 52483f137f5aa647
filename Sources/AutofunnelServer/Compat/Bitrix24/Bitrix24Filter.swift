import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// Bitrix24 list filters (`filter[>ID]=5`, `filter[=STAGE_ID]=C1:NEW`, `filter[@ID][]=3`, `filter[%TITLE]=шкаф`,
/// `filter[>=DATE_CREATE]=01.12.2026`) as store conditions. Every key is applied or refused: a field not filtered on
/// here, or a value that is not what the field holds, is Bitrix24's 400 naming the key — never silently ignored, so
/// that "update the matching deals" can never reach every deal.
enum Bitrix24Filter {
    /// A filter key split into its comparison prefix and the field name.
    static func split(_ key: String) -> (OffsetListQuery.Comparison, String) {
        let prefixes: [(String, OffsetListQuery.Comparison)] = [
            (">=", .greaterOrEqual), ("<=", .lessOrEqual), ("!=", .notEqual), ("!@", .notEqual), (">", .greater), ("<", .less),
            ("!", .notEqual), ("=", .equal), ("@", .oneOf), ("%", .contains),
        ]
        for (prefix, comparison) in prefixes where key.hasPrefix(prefix) { return (comparison, String(key.dropFirst(prefix.count)).uppercased()) }
        return (.equal, key.uppercased())
    }

    /// The most values one key may list (`@ID`).
    static let maxValues = 500

    /// One key of a filter: its comparison, field and the values as texts, with the conversions that refuse a value
    /// the field cannot hold.
    struct Key {
        let key: String
        let comparison: OffsetListQuery.Comparison
        let field: String
        let texts: [String]
        let zone: TimeZoneName

        init(_ key: String, _ value: JSONValue, zone: TimeZoneName) throws {
            self.key = key
            (comparison, field) = Bitrix24Filter.split(key)
            texts = value.lenientItems.compactMap(\.lenientText)
            self.zone = zone
            if texts.count > Bitrix24Filter.maxValues { throw refused("more than \(Bitrix24Filter.maxValues) values") }
        }

        func refused(_ why: String) -> Bitrix24Error { Bitrix24Error.invalid("filter[\(key)]: \(why)") }

        /// Whole numbers (ids); anything else is refused.
        func numbers() throws -> [Int64] {
            try texts.map { text in
                guard let n = Int64(text.trimmed) else { throw refused("'\(text)' is not a whole number") }
                return n
            }
        }

        /// `numbers` as store values.
        func ints() throws -> [OffsetListQuery.Value] { try numbers().map { .int($0) } }

        /// Moments in ISO 8601 or the portal's `dd.mm.yyyy[ hh:mm[:ss]]` on the installation's clock.
        func moments() throws -> [OffsetListQuery.Value] {
            try texts.map { text in
                guard let t = DialectMoment.parse(text) ?? Bitrix24Filter.portalMoment(text, zone: zone) else {
                    throw refused("'\(text)' is not a date (dd.mm.yyyy[ hh:mm:ss] or ISO 8601)")
                }
                return .int(t.millis)
            }
        }

        /// Amounts as exact decimals (at most 14 whole and 4 fraction digits), compared in the store's scaled units.
        func amounts() throws -> [OffsetListQuery.Value] {
            try texts.map { text in
                // CLF has four fraction digits, the store's own scale: any amount a deal can hold parses.
                guard let clf = CurrencyCode("CLF"), case .success(let money) = Money.parse(text.trimmed, currency: clf) else {
                    throw refused("'\(text)' is not an amount")
                }
                return .int(money.scaledUnits)
            }
        }

        /// Refuses a comparison the field does not take.
        func only(_ allowed: [OffsetListQuery.Comparison]) throws {
            if !allowed.contains(comparison) { throw refused("this comparison is not supported on \(field)") }
        }
    }

    /// A moment written as the portal writes it: `dd.mm.yyyy`, `dd.mm.yyyy hh:mm` or `dd.mm.yyyy hh:mm:ss`; nil for
    /// anything else, a day that does not exist included.
    static func portalMoment(_ text: String, zone: TimeZoneName) -> Timestamp? {
        let parts = text.trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { return nil }
        let date = parts[0].split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        let time = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) } : [0, 0]
        guard date.count == 3, (2...3).contains(time.count), let day = date[0], let month = date[1], let year = date[2],
            let hour = time[0], let minute = time[1], (1000...9999).contains(year), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = time.count == 3 ? time[2] : 0
        guard let second, (0...59).contains(second) else { return nil }
        let local = LocalTime(year: year, month: month, day: day, hour: hour, minute: minute)
        guard let t = zone.moment(local) else { return nil }
        let back = zone.local(t)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return t.adding(millis: Int64(second) * 1000)
    }

    /// Conditions of a `crm.deal.list` filter.
    static func deals(_ filter: JSONValue, catalog: Bitrix24Catalog, zone: TimeZoneName) throws -> [OffsetListQuery.Condition] {
        var out: [OffsetListQuery.Condition] = []
        let within = filter[lenient: "CATEGORY_ID"]?.lenientInt.flatMap { catalog.category(id: $0) }
        for (raw, value) in filter.lenientObject.sorted(by: { $0.key < $1.key }) {
            let k = try Key(raw, value, zone: zone)
            func add(_ column: String, _ values: [OffsetListQuery.Value], _ c: OffsetListQuery.Comparison = k.comparison) {
                out.append(.init(column: column, comparison: c, values: values))
            }
            switch k.field {
            case "ID": add("id", try k.ints())
            case "ASSIGNED_BY_ID": add("responsible_id", try k.ints())
            case "CONTACT_ID": add("contact_id", try k.ints())
            case "COMPANY_ID": add("company_id", try k.ints())
            case "TITLE": add("title", k.texts.map { .text($0) })
            case "SOURCE_ID": add("source", k.texts.map { .text($0) })
            case "OPPORTUNITY":
                try k.only([.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual, .oneOf])
                add("amount", try k.amounts())
            case "CATEGORY_ID":
                // An unknown category matches nothing: its key is one no pipeline can have.
                let ids = try k.ints().map { v -> OffsetListQuery.Value in
                    guard case .int(let id) = v else { return .text("-") }
                    return .text(catalog.category(id: id)?.pipeline.key.rawValue ?? "-")
                }
                add("pipeline_key", ids)
            case "STAGE_ID":
                let stages = k.texts.map { catalog.resolve(stageID: $0, within: within) }
                let pipelines = Set(stages.compactMap { $0?.0.pipeline.key })
                if pipelines.count == 1, let only = pipelines.first, k.comparison == .equal || k.comparison == .oneOf {
                    add("pipeline_key", [.text(only.rawValue)], .equal)
                }
                add("stage_key", stages.map { .text($0?.1.key.rawValue ?? "-") })
            case "CLOSED":
                guard let flag = k.texts.first else { throw k.refused("Y or N") }
                let closed = (k.comparison == .notEqual) != (JSONValue.string(flag).lenientFlag)
                add("status", [.text(DealStatus.open.rawValue)], closed ? .notEqual : .equal)
            case "STAGE_SEMANTIC_ID":
                let statuses: [OffsetListQuery.Value] = try k.texts.map {
                    switch $0.uppercased() {
                    case "P": .text(DealStatus.open.rawValue)
                    case "S": .text(DealStatus.won.rawValue)
                    case "F": .text(DealStatus.lost.rawValue)
                    default: throw k.refused("'\($0)' is not P, S or F")
                    }
                }
                add("status", statuses)
            case "DATE_CREATE", "DATE_MODIFY", "CLOSEDATE":
                let column = ["DATE_CREATE": "created_at", "DATE_MODIFY": "updated_at", "CLOSEDATE": "closed_at"][k.field] ?? "-"
                add(column, try k.moments())
            default: throw k.refused("\(k.field) is not a field this server filters deals on")
            }
        }
        return out
    }

    /// Conditions of a `crm.contact.list` filter.
    static func contacts(_ filter: JSONValue, zone: TimeZoneName) throws -> [OffsetListQuery.Condition] {
        var out: [OffsetListQuery.Condition] = []
        for (raw, value) in filter.lenientObject.sorted(by: { $0.key < $1.key }) {
            let k = try Key(raw, value, zone: zone)
            func add(_ column: String, _ values: [OffsetListQuery.Value]) {
                out.append(.init(column: column, comparison: k.comparison, values: values))
            }
            switch k.field {
            case "ID": add("id", try k.ints())
            case "NAME": add("name", k.texts.map { .text($0) })
            case "COMPANY_ID": add("company_id", try k.ints())
            case "DATE_CREATE": add("created_at", try k.moments())
            case "DATE_MODIFY": add("updated_at", try k.moments())
            default: throw k.refused("\(k.field) is not a field this server filters contacts on")
            }
        }
        return out
    }
}

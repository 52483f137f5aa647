import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// Bitrix24 list filters (`filter[>ID]=5`, `filter[=STAGE_ID]=C1:NEW`, `filter[@ID][]=3`, `filter[%TITLE]=шкаф`) as
/// store conditions. Fields we do not know are ignored, as Bitrix24 ignores them.
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

    /// Conditions of a `crm.deal.list` filter.
    static func deals(_ filter: JSONValue, catalog: Bitrix24Catalog) -> [OffsetListQuery.Condition] {
        var out: [OffsetListQuery.Condition] = []
        let within = filter[lenient: "CATEGORY_ID"]?.lenientInt.flatMap { catalog.category(id: $0) }
        for (key, value) in filter.lenientObject.sorted(by: { $0.key < $1.key }) {
            let (comparison, field) = split(key)
            let texts = value.lenientItems.compactMap(\.lenientText)
            func add(_ column: String, _ values: [OffsetListQuery.Value], _ c: OffsetListQuery.Comparison = comparison) {
                out.append(.init(column: column, comparison: c, values: values))
            }
            func ints() -> [OffsetListQuery.Value] { texts.compactMap { Int64($0) }.map { .int($0) } }
            switch field {
            case "ID": add("id", ints())
            case "ASSIGNED_BY_ID": add("responsible_id", ints())
            case "CONTACT_ID": add("contact_id", ints())
            case "COMPANY_ID": add("company_id", ints())
            case "TITLE": add("title", texts.map { .text($0) })
            case "SOURCE_ID": add("source", texts.map { .text($0) })
            case "CATEGORY_ID":
                // An unknown category matches nothing: its key is one no pipeline can have.
                add("pipeline_key", texts.map { .text(Int64($0).flatMap { catalog.category(id: $0)?.pipeline.key.rawValue } ?? "-") })
            case "STAGE_ID":
                let stages = texts.map { catalog.resolve(stageID: $0, within: within) }
                let pipelines = Set(stages.compactMap { $0?.0.pipeline.key })
                if pipelines.count == 1, let only = pipelines.first, comparison == .equal || comparison == .oneOf {
                    add("pipeline_key", [.text(only.rawValue)], .equal)
                }
                add("stage_key", stages.map { .text($0?.1.key.rawValue ?? "-") })
            case "CLOSED":
                guard let flag = texts.first else { continue }
                let closed = (comparison == .notEqual) != (JSONValue.string(flag).lenientFlag)
                add("status", [.text(DealStatus.open.rawValue)], closed ? .notEqual : .equal)
            case "STAGE_SEMANTIC_ID":
                let statuses: [OffsetListQuery.Value] = texts.compactMap {
                    switch $0.uppercased() {
                    case "P": .text(DealStatus.open.rawValue)
                    case "S": .text(DealStatus.won.rawValue)
                    case "F": .text(DealStatus.lost.rawValue)
                    default: nil
                    }
                }
                add("status", statuses)
            case "DATE_CREATE", "DATE_MODIFY":
                let times = texts.compactMap(DialectMoment.parse).map { OffsetListQuery.Value.int($0.millis) }
                add(field == "DATE_CREATE" ? "created_at" : "updated_at", times)
            default: continue
            }
        }
        return out
    }
}

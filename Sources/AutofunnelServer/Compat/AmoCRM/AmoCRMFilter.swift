import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// amoCRM list filters as store conditions: `filter[id]=5`, `filter[id][]=5`, `filter[id][0]=5` (one or several
/// values), `filter[created_at][from]=…&filter[created_at][to]=…` (seconds), `filter[pipeline_id]`,
/// `filter[statuses][0][pipeline_id]` with `[status_id]`, `filter[responsible_user_id]`, `filter[name]`,
/// `filter[price][from|to]` (whole units) and `query` (a text search in the name). Every key is applied or refused: a
/// filter this server does not apply, or a value that is not what the filter takes, is amoCRM's 400 naming it — never
/// ignored, so that "update the matching leads" can never reach every lead.
enum AmoCRMFilter {
    typealias Condition = OffsetListQuery.Condition

    /// Whether the list's ids run descending: `order[id]=desc`, or a descending time order (ids break its ties).
    static func descending(_ query: [String: JSONValue]) -> Bool {
        let order = query["order"] ?? .null
        return ["id", "created_at", "updated_at"].contains { order[lenient: $0]?.lenientText?.lowercased() == "desc" }
    }

    /// `order[created_at]` and `order[updated_at]` (`asc` or `desc`) as columns ordered before the id.
    static func order(_ query: [String: JSONValue]) -> [OffsetListQuery.Order] {
        let order = query["order"] ?? .null
        return ["created_at", "updated_at"].compactMap { column in
            order[lenient: column]?.lenientText.map { OffsetListQuery.Order(column: column, descending: $0.lowercased() == "desc") }
        }
    }

    /// Conditions on ids, times and names shared by leads and contacts; a key outside `common` and `also` is refused.
    static func common(_ filter: JSONValue, nameColumn: String, also: Set<String> = []) throws -> [Condition] {
        var out: [Condition] = []
        for (key, value) in filter.lenientObject.sorted(by: { $0.key < $1.key }) {
            switch key.lowercased() {
            case "id": out += try range("id", value, scale: 1)
            case "created_at": out += try range("created_at", value, scale: 1000)
            case "updated_at": out += try range("updated_at", value, scale: 1000)
            case "name":
                out.append(.init(column: nameColumn, comparison: .oneOf, values: value.lenientItems.compactMap(\.lenientText).map { .text($0) }))
            case let other where also.contains(other): continue
            default: throw AmoCRMError.invalid("filter[\(key)] is not a filter this server applies", path: "filter[\(key)]")
            }
        }
        return out
    }

    /// The ids a filter lists (one, an array, or comma-joined); a value that is not a positive id is refused.
    static func ids(_ key: String, _ value: JSONValue) throws -> [Int64] {
        let texts = value.lenientItems.flatMap { item -> [String] in
            (item.lenientText ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard texts.count <= 500 else { throw AmoCRMError.invalid("filter[\(key)] lists more than 500 ids", path: "filter[\(key)]") }
        return try texts.map { text in
            guard let id = Int64(text), id >= 0 else { throw AmoCRMError.invalid("filter[\(key)] takes ids, not '\(text)'", path: "filter[\(key)]") }
            return id
        }
    }

    /// `{from, to}` as a range, else one value or a list of them; `scale` turns seconds into our milliseconds. A time
    /// outside years 1–9999 is a 400 naming the filter (the caller's number is never multiplied unchecked).
    /// Errors name the filter `named` (default: the column). With `exact`, the value is multiplied by `scale` as a number (checked), not read as seconds.
    static func range(_ column: String, _ value: JSONValue, scale: Int64, exact: Bool = false, named: String? = nil) throws -> [Condition] {
        let name = named ?? column
        func scaled(_ n: Int64, _ part: String) throws -> Int64 {
            guard scale != 1 else { return n }
            if exact {
                let (product, overflow) = n.multipliedReportingOverflow(by: scale)
                guard !overflow, n >= 0 else {
                    throw AmoCRMError.invalid("filter[\(name)]\(part) is out of range", path: "filter[\(name)]\(part)")
                }
                return product
            }
            guard let t = Timestamp(checkedSeconds: n) else {
                throw AmoCRMError.invalid("filter[\(name)]\(part) is a time in seconds of years 1 to 9999", path: "filter[\(name)]\(part)")
            }
            return t.millis
        }
        // A value that is sent but is no integer within bounds is refused, never silently dropped.
        func integer(_ v: JSONValue?, _ part: String) throws -> Int64? {
            guard let v, v != .null else { return nil }
            guard let n = v.lenientInt else {
                throw AmoCRMError.invalid("filter[\(name)]\(part) is an integer", path: "filter[\(name)]\(part)")
            }
            return n
        }
        let from = try integer(value[lenient: "from"], "[from]")
        let to = try integer(value[lenient: "to"], "[to]")
        if from != nil || to != nil {
            var out: [Condition] = []
            if let from { out.append(.init(column: column, comparison: .greaterOrEqual, values: [.int(try scaled(from, "[from]"))])) }
            if let to { out.append(.init(column: column, comparison: .lessOrEqual, values: [.int(try scaled(to, "[to]") + scale - 1)])) }
            return out
        }
        return [.init(column: column, comparison: .oneOf, values: try value.lenientItems.map { .int(try scaled(try integer($0, "") ?? 0, "")) })]
    }

    /// Conditions of a lead list.
    static func leads(_ query: [String: JSONValue], catalog: AmoCRMCatalog) throws -> [Condition] {
        let filter = query["filter"] ?? .null
        var out = try common(filter, nameColumn: "title", also: ["responsible_user_id", "pipeline_id", "statuses", "price", "closed_at"])
        if let text = query["query"]?.lenientText, !text.isEmpty { out.append(.init(column: "title", comparison: .contains, values: [.text(text)])) }
        if let users = filter[lenient: "responsible_user_id"] {
            out.append(.init(column: "responsible_id", comparison: .oneOf, values: try ids("responsible_user_id", users).map { .int($0) }))
        }
        if let pipelines = filter[lenient: "pipeline_id"] {
            // An unknown pipeline matches nothing: its key is one no pipeline can have.
            let keys = try ids("pipeline_id", pipelines).map { catalog.entry(id: $0)?.pipeline.key.rawValue ?? "-" }
            out.append(.init(column: "pipeline_key", comparison: .oneOf, values: keys.map { .text($0) }))
        }
        // Whole units, as amoCRM's price is; the store keeps amounts at Money's scale.
        if let price = filter[lenient: "price"] { out += try range("amount", price, scale: Money.scale, exact: true, named: "price") }
        if let closed = filter[lenient: "closed_at"] { out += try range("closed_at", closed, scale: 1000) }
        if let statuses = filter[lenient: "statuses"] {
            var pipelines: Set<String> = []
            var stages: Set<String> = []
            for pair in statuses.lenientItems {
                let entry = pair[lenient: "pipeline_id"]?.lenientInt.flatMap { catalog.entry(id: $0) }
                guard let statusID = pair[lenient: "status_id"]?.lenientInt, let (e, stage) = catalog.resolve(statusID: statusID, within: entry)
                else {
                    stages.insert("-")
                    continue
                }
                pipelines.insert(e.pipeline.key.rawValue)
                // 143 stands for every lost stage of the pipeline.
                let lost = statusID == AmoCRMCatalog.lost ? e.pipeline.lostStages : [stage]
                stages.formUnion(lost.map(\.key.rawValue))
            }
            if !pipelines.isEmpty { out.append(.init(column: "pipeline_key", comparison: .oneOf, values: pipelines.sorted().map { .text($0) })) }
            out.append(.init(column: "stage_key", comparison: .oneOf, values: stages.sorted().map { .text($0) }))
        }
        return out
    }

    /// Conditions of a contact list.
    static func contacts(_ query: [String: JSONValue]) throws -> [Condition] {
        var out = try common(query["filter"] ?? .null, nameColumn: "name")
        if let text = query["query"]?.lenientText, !text.isEmpty { out.append(.init(column: "name", comparison: .contains, values: [.text(text)])) }
        return out
    }
}

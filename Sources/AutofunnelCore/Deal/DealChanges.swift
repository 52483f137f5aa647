/// The field-by-field difference between two versions of a deal, for the timeline.
public enum DealChanges {
    /// One entry per changed attribute or custom field, values rendered as text.
    public static func timeline(from old: Deal, to new: Deal, actor: Actor, at: Timestamp) -> [TimelineEntry] {
        var out: [TimelineEntry] = []
        func add(_ field: String, _ a: String?, _ b: String?) {
            if a != b {
                out.append(
                    TimelineEntry(deal: new.id, at: at, kind: field == "stage" ? "stage" : "field", field: field, old: a, new: b, actor: actor))
            }
        }
        add("title", old.title, new.title)
        add("amount", old.amount.map(render), new.amount.map(render))
        add("stage", old.stage.rawValue, new.stage.rawValue)
        add("status", old.status.rawValue, new.status.rawValue)
        add("responsible", old.responsible?.description, new.responsible?.description)
        add("headOfSales", old.headOfSales?.description, new.headOfSales?.description)
        add("contact", old.contact?.description, new.contact?.description)
        add("company", old.company?.description, new.company?.description)
        add("source", old.source, new.source)
        add("lossComment", old.lossComment, new.lossComment)
        for key in Set(old.fields.keys).union(new.fields.keys).sorted() {
            add("fields.\(key)", old.fields[key].map(render), new.fields[key].map(render))
        }
        return out
    }

    /// `1500.00 RUB`.
    public static func render(_ m: Money) -> String { "\(m.decimalText) \(m.currency.code)" }
    /// A total as `1500.00 RUB`.
    public static func render(_ m: MoneyTotal) -> String { "\(m.decimalText) \(m.currency.code)" }

    /// A field value as a short text: strings as they are, other values in JSON form.
    public static func render(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .string(let s): s
        case .array(let a): "[" + a.map(render).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0): \(render(o[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}

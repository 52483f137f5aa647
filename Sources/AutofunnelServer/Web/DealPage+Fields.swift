import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension DealPage {
    /// The card's inputs: title, amount, source, then the custom deal fields this pipeline declares or requires, and
    /// any other field the deal has a value in. Fields `view` hides are left out; read-only ones are shown read-only.
    static func inputs(_ deal: Deal, pipeline: Pipeline, view: FieldView, users: [User], viewer: WebViewer, edits: Bool) -> [Input] {
        let t = WebText.labels(viewer.locale)
        let locked = !edits
        let catalog = view.catalog
        var out = [
            Input(
                id: "field-title", name: "title", label: t["title"] ?? "", value: deal.title, type: "text", options: nil, checked: false,
                required: true, readOnly: locked),
            Input(
                id: "field-amount", name: "amount", label: t["amount"] ?? "", value: deal.amount?.decimalText ?? "", type: "text", options: nil,
                checked: false, required: false, readOnly: locked),
            Input(
                id: "field-currency", name: "currency", label: t["currency"] ?? "", value: deal.amount?.currency.code ?? (viewer.ru ? "RUB" : "USD"),
                type: "text", options: nil, checked: false, required: false, readOnly: locked),
            Input(
                id: "field-source", name: "source", label: t["source"] ?? "", value: deal.source ?? "", type: "text", options: nil, checked: false,
                required: false, readOnly: locked),
        ].filter { input in
            switch input.name {
            case "amount", "currency": view.shows(.deal, "amount")
            case "source": view.shows(.deal, "source")
            default: view.shows(.deal, input.name)
            }
        }
        var keys: [FieldKey] = pipeline.declaredFields.filter { $0.entity == .deal }.map(\.key)
        for ref in pipeline.stages.flatMap(\.requiredToLeave) {
            if case .dealField(let k) = ref, !keys.contains(k) { keys.append(k) }
        }
        for k in deal.fields.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !keys.contains(k) { keys.append(k) }
        let required = Set(
            pipeline.stage(deal.stage)?.requiredToLeave.compactMap { ref -> FieldKey? in
                if case .dealField(let k) = ref { return k }
                return nil
            } ?? [])
        for key in keys {
            guard let definition = catalog.definition(.deal, key), view.shows(.deal, key.rawValue) else { continue }
            let access = viewer.principal.access(.deal, key.rawValue, definition: definition)
            out.append(
                input(
                    definition, value: deal.fields[key], users: users, viewer: viewer, required: required.contains(key),
                    locked: locked || access != .write))
        }
        return out
    }

    static func input(_ d: FieldDefinition, value: JSONValue?, users: [User], viewer: WebViewer, required: Bool, locked: Bool) -> Input {
        let id = "field-\(d.key)"
        let name = "f.\(d.key)"
        let label = viewer.text(d.name)
        func text(_ type: String, _ shown: String) -> Input {
            Input(id: id, name: name, label: label, value: shown, type: type, options: nil, checked: false, required: required, readOnly: locked)
        }
        func select(_ options: [Option]) -> Input {
            Input(
                id: id, name: name, label: label, value: "", type: "select", options: [Option(value: "", label: "—", selected: false)] + options,
                checked: false, required: required, readOnly: locked)
        }
        switch d.type {
        case .enum:
            let current: String? = if case .string(let s)? = value { s } else { nil }
            return select((d.options ?? []).map { Option(value: $0.key, label: viewer.text($0.name), selected: $0.key == current) })
        case .user:
            let current: Int64? = if case .number(let n)? = value { Int64(n) } else { nil }
            return select(users.filter(\.active).map { Option(value: String($0.id.rawValue), label: $0.name, selected: $0.id.rawValue == current) })
        case .boolean:
            let on: Bool = if case .bool(true)? = value { true } else { false }
            return Input(
                id: id, name: name, label: label, value: "true", type: "checkbox", options: nil, checked: on, required: false, readOnly: locked)
        case .number: return text("number", WebFormat.value(value, definition: d, ru: viewer.ru))
        case .date: return text("date", WebFormat.value(value, definition: d, ru: viewer.ru))
        case .datetime:
            let shown: String = if case .string(let s)? = value { FieldInput.input(s, zone: viewer.zone) } else { "" }
            return text("datetime-local", shown)
        case .phone: return text("tel", WebFormat.value(value, definition: d, ru: viewer.ru))
        case .email: return text("email", WebFormat.value(value, definition: d, ru: viewer.ru))
        case .text, .money: return text("text", WebFormat.value(value, definition: d, ru: viewer.ru))
        }
    }

    /// A timeline entry as the card lists it.
    static func event(_ e: TimelineEntry, pipeline: Pipeline, catalog: FieldCatalog, names: [UserID: String], viewer: WebViewer) -> Event {
        let t = WebText.labels(viewer.locale)
        let what = t["event." + e.kind] ?? e.kind
        var detail = e.text ?? ""
        if let field = e.field {
            func shown(_ v: String?) -> String {
                guard let v else { return "—" }
                if field == "stage" { return pipeline.stage(StageKey(v)).map { viewer.text($0.name) } ?? v }
                if field == "responsible" || field == "headOfSales" { return Int64(v).flatMap { names[UserID($0)] } ?? v }
                return v
            }
            let label: String
            if field.hasPrefix("fields.") {
                let key = FieldKey(String(field.dropFirst("fields.".count)))
                label = catalog.definition(.deal, key).map { viewer.text($0.name) } ?? key.rawValue
            } else {
                label = t["field." + field] ?? field
            }
            detail = "\(label): \(shown(e.old)) → \(shown(e.new))"
        }
        let who: String
        switch e.actor?.kind {
        case .user?, .api?: who = e.actor?.userID.flatMap { names[$0] } ?? ""
        case .automation?: who = t["automation"] ?? "automation"
        case .import?: who = t["import"] ?? "import"
        case nil: who = ""
        }
        return Event(at: viewer.time(e.at), what: what, detail: detail, who: who)
    }
}

/// Renders task titles and texts: `{{contact.name}}`, `{{deal.title}}`, `{{deal.amount}}`, `{{deal.<field>}}`, and the
/// guides' Russian form `{{Контакт: Имя}}`, `{{Сделка: Название}}`, `{{Сделка: <field name>}}`. A placeholder that names
/// nothing renders empty.
public enum TaskTemplate {
    static let aliases: [String: String] = [
        "контакт: имя": "contact.name", "контакт: телефон": "contact.phone", "контакт: email": "contact.email",
        "контакт: e-mail": "contact.email", "компания: название": "company.name", "сделка: название": "deal.title",
        "сделка: бюджет": "deal.amount", "сделка: сумма": "deal.amount", "сделка: источник": "deal.source",
        "ответственный": "responsible.name", "роп": "head_of_sales.name",
    ]

    /// The text with every placeholder replaced, with the values `view` shows: a field hidden from its reader renders
    /// empty. `users` names the responsible and the head of sales; `html` escapes the values (documents), never the
    /// template.
    public static func render(
        _ template: String, _ snapshot: DealSnapshot, as view: FieldView, users: [UserID: String] = [:], html: Bool = false
    ) -> String {
        let s = view.snapshot(snapshot)
        let catalog = view.catalog
        var out = ""
        var rest = Substring(template)
        while let open = rest.utf8Range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].utf8Range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let text = value(String(rest[open.upperBound..<close.lowerBound]).trimmed, s, catalog: catalog, users: users)
            out += html ? escape(text, in: HTMLContext.at(end: out)) : text
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// The text as the automation renders it, with every value.
    public static func render(
        _ template: String, _ s: DealSnapshot, catalog: FieldCatalog, users: [UserID: String] = [:], html: Bool = false
    ) -> String {
        render(template, s, as: .automation(catalog), users: users, html: html)
    }

    static func value(_ name: String, _ s: DealSnapshot, catalog: FieldCatalog, users: [UserID: String]) -> String {
        let lower = name.lowercased()
        let path = aliases[lower] ?? byFieldName(lower, catalog: catalog) ?? name
        switch path {
        case "contact.name": return s.contact?.name ?? ""
        case "contact.phone": return s.contact?.phones.first ?? ""
        case "contact.email": return s.contact?.emails.first ?? ""
        case "company.name": return s.company?.name ?? ""
        case "deal.title": return s.deal.title
        case "deal.amount": return s.deal.amount.map(DealChanges.render) ?? ""
        case "deal.source": return s.deal.source ?? ""
        case "deal.id": return s.deal.id.description
        case "responsible.name": return s.deal.responsible.flatMap { users[$0] } ?? ""
        case "head_of_sales.name": return s.deal.headOfSales.flatMap { users[$0] } ?? ""
        default:
            for (prefix, entity) in [("deal.", FieldEntity.deal), ("contact.", .contact), ("company.", .company)] where path.hasPrefix(prefix) {
                let key = FieldKey(String(path.dropFirst(prefix.count)))
                let fields: [FieldKey: JSONValue]? =
                    switch entity {
                    case .deal: s.deal.fields
                    case .contact: s.contact?.fields
                    case .company: s.company?.fields
                    }
                return fields?[key].map(DealChanges.render) ?? ""
            }
            return ""
        }
    }

    /// Whether the template may name the responsible or the head of sales (then the runner reads their names).
    public static func mentionsUsers(_ template: String) -> Bool {
        let lower = template.lowercased()
        return ["responsible.name", "head_of_sales.name", "ответственный", "роп"].contains { lower.utf8Contains($0) }
    }

    /// A value escaped for where it stands: script and style attributes (`on…`, `style`) take no value at all; a URL
    /// attribute it would begin takes only http, https, mailto and tel URLs or a path (anything else becomes `#`); an
    /// unquoted attribute gets every character but letters and digits as a character reference, so it cannot end the
    /// value.
    static func escape(_ text: String, in context: HTMLContext) -> String {
        switch context {
        case .text: return escape(text)
        case .attribute(.code, _): return ""
        case .attribute(let kind, let quoted):
            if kind == .urlStart && !HTMLContext.isSafeURL(text) { return "#" }
            guard !quoted else { return escape(text) }
            return text.unicodeScalars.map { c in
                c.properties.isAlphabetic || ("0"..."9").contains(c) ? String(c) : "&#\(c.value);"
            }.joined()
        }
    }

    /// Text made safe inside HTML elements and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `сделка: тема` → `deal.subject`: a custom field by its Russian or English name.
    static func byFieldName(_ lower: String, catalog: FieldCatalog) -> String? {
        let parts = lower.split(separator: ":", maxSplits: 1).map { String($0).trimmed }
        guard parts.count == 2 else { return nil }
        let entity: FieldEntity? = ["сделка": .deal, "контакт": .contact, "компания": .company, "deal": .deal, "contact": .contact][parts[0]]
        guard let entity else { return nil }
        return catalog.all(entity).first { $0.name.ru.lowercased() == parts[1] || $0.name.en.lowercased() == parts[1] }
            .map { "\(entity.rawValue).\($0.key)" }
    }
}

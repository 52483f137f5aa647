import AutofunnelCore
import AutofunnelEngine

/// Deals as Bitrix24 sees them: UPPER_CASE keys with string values, custom fields as `UF_CRM_<KEY>`, and the
/// `crm.deal.fields` description of both.
enum Bitrix24DealMapping {
    /// The built-in fields: Bitrix24 name, type, title, whether it is read-only, and our field name for access checks.
    static let builtins: [(name: String, type: String, title: String, readOnly: Bool, ours: String?)] = [
        ("ID", "integer", "ID", true, nil), ("TITLE", "string", "Title", false, "title"),
        ("CATEGORY_ID", "crm_category", "Pipeline", false, nil), ("STAGE_ID", "crm_status", "Stage", false, nil),
        ("STAGE_SEMANTIC_ID", "string", "Stage group", true, nil), ("CLOSED", "char", "Closed", true, nil),
        ("OPPORTUNITY", "double", "Amount", false, "amount"), ("CURRENCY_ID", "crm_currency", "Currency", false, "amount"),
        ("PROBABILITY", "integer", "Probability", true, nil), ("ASSIGNED_BY_ID", "user", "Responsible", false, "responsibleId"),
        ("CONTACT_ID", "crm_contact", "Contact", false, "contactId"), ("COMPANY_ID", "crm_company", "Company", false, "companyId"),
        ("SOURCE_ID", "string", "Source", false, "source"), ("COMMENTS", "string", "Loss comment", false, "lossComment"),
        ("DATE_CREATE", "datetime", "Created on", true, nil), ("DATE_MODIFY", "datetime", "Modified on", true, nil),
        ("CLOSEDATE", "datetime", "Closed on", true, nil),
    ]

    /// `UF_CRM_SUBJECT` for the custom field `subject`.
    static func ufName(_ key: FieldKey) -> String { "UF_CRM_" + key.rawValue.uppercased() }

    /// The custom field a `UF_CRM_…` name stands for.
    static func fieldKey(_ name: String) -> FieldKey? {
        guard name.uppercased().hasPrefix("UF_CRM_") else { return nil }
        return FieldKey(String(name.dropFirst(7)).lowercased())
    }

    /// The deal as a Bitrix24 row, without fields hidden from the caller; `custom` adds the `UF_CRM_…` fields.
    static func row(_ deal: Deal, catalog: Bitrix24Catalog, fields: FieldCatalog, principal p: Principal, custom: Bool) -> [String: JSONValue] {
        let category = catalog.category(of: deal.pipeline)
        let stage = category?.pipeline.stage(deal.stage)
        func text(_ v: CustomStringConvertible?) -> JSONValue { v.map { .string($0.description) } ?? .null }
        var row: [String: JSONValue] = [
            "ID": text(deal.id), "TITLE": .string(deal.title), "CATEGORY_ID": text(category?.id),
            "STAGE_ID": text(catalog.stageID(of: deal)), "STAGE_SEMANTIC_ID": text(stage.map(Bitrix24Catalog.semantics)),
            "CLOSED": .string(deal.status == .open ? "N" : "Y"), "OPPORTUNITY": .string(deal.amount?.decimalText ?? "0.00"),
            "CURRENCY_ID": text(deal.amount?.currency.code), "PROBABILITY": text(stage?.probability), "ASSIGNED_BY_ID": text(deal.responsible),
            "CONTACT_ID": text(deal.contact), "COMPANY_ID": text(deal.company), "SOURCE_ID": text(deal.source),
            "COMMENTS": text(deal.lossComment), "DATE_CREATE": Bitrix24Methods.iso(deal.createdAt),
            "DATE_MODIFY": Bitrix24Methods.iso(deal.updatedAt), "CLOSEDATE": Bitrix24Methods.iso(deal.closedAt), "OPENED": .string("Y"),
        ]
        let view = FieldView(p, catalog: fields)
        for b in builtins { if let ours = b.ours, !view.shows(.deal, ours) { row[b.name] = nil } }
        guard custom else { return row }
        for definition in fields.all(.deal) where view.shows(.deal, definition.key.rawValue) {
            row[ufName(definition.key)] = deal.fields[definition.key].map { value(bitrix: $0, type: definition.type) } ?? .null
        }
        return row
    }

    /// A stored custom field value as Bitrix24 text: money `100.00|RUB`, booleans `1`/`0`.
    static func value(bitrix value: JSONValue, type: FieldType) -> JSONValue {
        switch (type, value) {
        case (.money, .object(let o)): .string("\(o["value"]?.lenientText ?? "")|\(o["currency"]?.lenientText ?? "")")
        case (.boolean, .bool(let b)): .string(b ? "1" : "0")
        case (_, .null): .null
        default: value.lenientText.map(JSONValue.string) ?? value
        }
    }

    /// `crm.deal.fields`: every field with all seven keys (`type, isRequired, isReadOnly, isImmutable, isMultiple,
    /// isDynamic, title`), built-in ones first, then the custom fields the caller may see.
    static func describe(fields: FieldCatalog, principal p: Principal, russian: Bool) -> JSONValue {
        func entry(_ type: String, _ title: String, readOnly: Bool, required: Bool = false, dynamic: Bool = false) -> [String: JSONValue] {
            [
                "type": .string(type), "isRequired": .bool(required), "isReadOnly": .bool(readOnly), "isImmutable": .bool(false),
                "isMultiple": .bool(false), "isDynamic": .bool(dynamic), "title": .string(title),
            ]
        }
        var out: [String: JSONValue] = [:]
        let view = FieldView(p, catalog: fields)
        for b in builtins {
            guard b.ours.map({ view.shows(.deal, $0) }) ?? true else { continue }
            let access = b.ours.map { p.access(.deal, $0) } ?? .write
            out[b.name] = .object(entry(b.type, b.title, readOnly: b.readOnly || access == .readOnly, required: b.name == "TITLE"))
        }
        for d in fields.all(.deal) where view.shows(.deal, d.key.rawValue) {
            let access = p.access(.deal, d.key.rawValue, definition: d)
            let title = russian ? d.name.ru : d.name.en
            var e = entry(ufType(d.type), title, readOnly: access == .readOnly, dynamic: true)
            e["listLabel"] = .string(title)
            e["formLabel"] = .string(title)
            e["filterLabel"] = .string(title)
            if let options = d.options {
                e["items"] = .array(options.map { .object(["ID": .string($0.key), "VALUE": .string(russian ? $0.name.ru : $0.name.en)]) })
            }
            out[ufName(d.key)] = .object(e)
        }
        return .object(out)
    }

    static func ufType(_ type: FieldType) -> String {
        switch type {
        case .text, .phone, .email: "string"
        case .number: "double"
        case .money: "money"
        case .enum: "enumeration"
        case .user: "employee"
        case .date: "date"
        case .datetime: "datetime"
        case .boolean: "boolean"
        }
    }
}

import AutofunnelCore
import AutofunnelEngine
import Foundation

/// Custom fields as amoCRM sees them: stable integer field and enum ids hashed from our keys, a `code` (the key in
/// capitals), amoCRM's field types, and `custom_fields_values` both ways. A contact's phones and e-mails are amoCRM's
/// predefined `PHONE` and `EMAIL` fields.
enum AmoCRMFields {
    /// The id of a custom field.
    static func fieldID(_ entity: FieldEntity, _ key: String) -> Int64 {
        100_000 + StableID.of("amocrm/\(entity.rawValue)/\(key)", modulo: 899_999)
    }

    /// The id of an option of an enum field.
    static func enumID(_ entity: FieldEntity, _ key: FieldKey, _ option: String) -> Int64 {
        1_000_000 + StableID.of("amocrm/\(entity.rawValue)/\(key)/\(option)", modulo: 8_999_999)
    }

    /// amoCRM's code of a field: its key in capitals.
    static func code(_ key: FieldKey) -> String { key.rawValue.uppercased() }

    /// Ids of the contact's predefined fields.
    static let phoneID = fieldID(.contact, "@phone")
    static let emailID = fieldID(.contact, "@email")

    static func amoType(_ type: FieldType) -> String {
        switch type {
        case .text, .phone, .email: "text"
        case .number, .user: "numeric"
        case .money: "monetary"
        case .enum: "select"
        case .date: "date"
        case .datetime: "date_time"
        case .boolean: "checkbox"
        }
    }

    /// One field in the `custom_fields` list.
    static func describe(_ d: FieldDefinition, sort: Int, russian: Bool, base: String, plural: String) -> JSONValue {
        let enums: JSONValue =
            d.options.map { options in
                .array(
                    options.enumerated().map { i, o in
                        .object([
                            "id": .number(Double(enumID(d.entity, d.key, o.key))), "value": .string(russian ? o.name.ru : o.name.en),
                            "sort": .number(Double((i + 1) * 10)), "code": .string(o.key),
                        ])
                    })
            } ?? .null
        return field(
            id: fieldID(d.entity, d.key.rawValue), name: russian ? d.name.ru : d.name.en, type: amoType(d.type), code: code(d.key),
            sort: sort, enums: enums, predefined: false, base: base, plural: plural)
    }

    /// A field row with every key amoCRM sends.
    static func field(
        id: Int64, name: String, type: String, code: String, sort: Int, enums: JSONValue, predefined: Bool, base: String, plural: String
    ) -> JSONValue {
        .object([
            "id": .number(Double(id)), "name": .string(name), "type": .string(type), "code": .string(code), "sort": .number(Double(sort)),
            "is_api_only": .bool(false), "enums": enums, "group_id": .null, "required_statuses": .array([]), "is_deletable": .bool(!predefined),
            "is_predefined": .bool(predefined), "entity_type": .string(plural), "remind": .null, "settings": .null,
            "_links": AmoCRMMethods.selfLink("\(base)/\(plural)/custom_fields/\(id)"),
        ])
    }

    /// A contact's `PHONE` or `EMAIL` values.
    static func multiValues(_ values: [String], id: Int64, code: String, name: String) -> JSONValue? {
        guard !values.isEmpty else { return nil }
        let items = values.map { JSONValue.object(["value": .string($0), "enum_code": .string("WORK")]) }
        return .object([
            "field_id": .number(Double(id)), "field_name": .string(name), "field_code": .string(code), "field_type": .string("multitext"),
            "values": .array(items),
        ])
    }

    /// `custom_fields_values` of a record: the fields with a value that the caller may see (nil when there are none).
    static func values(
        _ stored: [FieldKey: JSONValue], entity: FieldEntity, catalog: FieldCatalog, principal p: Principal, russian: Bool, extra: [JSONValue] = []
    ) -> JSONValue {
        var out = extra
        let view = FieldView(p, catalog: catalog)
        for d in catalog.all(entity) where view.shows(entity, d.key.rawValue) {
            guard let value = stored[d.key], value != .null else { continue }
            out.append(
                .object([
                    "field_id": .number(Double(fieldID(entity, d.key.rawValue))), "field_name": .string(russian ? d.name.ru : d.name.en),
                    "field_code": .string(code(d.key)), "field_type": .string(amoType(d.type)),
                    "values": .array([amoValue(value, d, russian: russian)]),
                ]))
        }
        return out.isEmpty ? .null : .array(out)
    }

    /// A stored value as amoCRM writes it: dates as seconds, enums with their id and code, money as a number.
    static func amoValue(_ value: JSONValue, _ d: FieldDefinition, russian: Bool) -> JSONValue {
        switch (d.type, value) {
        case (.enum, .string(let key)):
            let name = d.options?.first { $0.key == key }?.name
            return .object([
                "value": .string(name.map { russian ? $0.ru : $0.en } ?? key), "enum_id": .number(Double(enumID(d.entity, d.key, key))),
                "enum_code": .string(key),
            ])
        case (.date, .string(let text)), (.datetime, .string(let text)):
            return .object(["value": DialectMoment.parse(text).map { .number(Double($0.millis / 1000)) } ?? .string(text)])
        case (.money, .object(let o)):
            return .object(["value": o["value"]?.lenientText.flatMap(Double.init).map(JSONValue.number) ?? .null])
        default: return .object(["value": value])
        }
    }

    /// Reads `custom_fields_values` into our field values, by `field_id` or `field_code`; `predefined` gets the values
    /// of fields that are not custom ones (a contact's `PHONE`, `EMAIL`) by their code. An empty `values` clears a field.
    static func read(
        _ sent: JSONValue?, entity: FieldEntity, catalog: FieldCatalog, predefined: (String, Int64?, [JSONValue]) -> Bool = { _, _, _ in false }
    ) throws -> [String: JSONValue]? {
        guard let sent, sent != .null else { return nil }
        var out: [String: JSONValue] = [:]
        for item in sent.lenientItems {
            let id = item[lenient: "field_id"]?.lenientInt
            let code = item[lenient: "field_code"]?.lenientText?.uppercased()
            let values = item[lenient: "values"]?.lenientItems ?? []
            if predefined(code ?? "", id, values) { continue }
            guard let d = catalog.all(entity).first(where: { fieldID(entity, $0.key.rawValue) == id || Self.code($0.key) == code }) else {
                throw AmoCRMError.invalid("No custom field \(id.map(String.init) ?? code ?? "?")", path: "custom_fields_values")
            }
            out[d.key.rawValue] = values.first.map { ourValue($0, d) } ?? .null
        }
        return out
    }

    /// One sent value in the form our catalog validates (which then refuses anything that does not fit).
    static func ourValue(_ item: JSONValue, _ d: FieldDefinition) -> JSONValue {
        let value = item[lenient: "value"] ?? .null
        switch d.type {
        case .enum:
            let options = d.options ?? []
            if let id = item[lenient: "enum_id"]?.lenientInt, let o = options.first(where: { enumID(d.entity, d.key, $0.key) == id }) {
                return .string(o.key)
            }
            if let code = item[lenient: "enum_code"]?.lenientText { return .string(code) }
            let text = value.lenientText ?? ""
            let match = options.first { $0.key == text || $0.name.ru == text || $0.name.en == text }
            return .string(match?.key ?? text)
        case .date, .datetime:
            guard let seconds = value.lenientInt else { return value }
            let date = Date(timeIntervalSince1970: Double(seconds))
            let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current)
            return .string(d.type == .date ? String(date.formatted(style).prefix(10)) : date.formatted(style))
        case .money: return value.lenientText.map { .object(["value": .string($0), "currency": .string("RUB")]) } ?? value
        default: return SentFieldValue.ours(value, type: d.type)
        }
    }
}

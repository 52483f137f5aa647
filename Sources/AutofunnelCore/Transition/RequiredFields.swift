/// The "required to leave a stage" check (guide 002), shared by moves, closing as won and deal creation.
public enum RequiredFields {
    /// Violations for every field that `stage` requires and the snapshot leaves empty.
    public static func missing(leaving stage: Stage, _ snapshot: DealSnapshot, fields: FieldCatalog) -> [Violation] {
        stage.requiredToLeave.compactMap { ref in
            guard !isFilled(ref, snapshot) else { return nil }
            let name = displayName(ref, fields: fields)
            return Violation(
                rule: .requiredField, field: ref.description, stage: stage.key,
                message: .init(
                    ru: "Чтобы покинуть этап «\(stage.name.ru)», заполните поле «\(name.ru)»",
                    en: "To leave stage '\(stage.name.en)', fill in '\(name.en)'"))
        }
    }

    /// Whether a field has a value in the snapshot (empty texts and lists count as empty).
    public static func isFilled(_ ref: FieldReference, _ s: DealSnapshot) -> Bool {
        let d = s.deal
        switch ref {
        case .deal(.title): return !d.title.trimmed.isEmpty
        case .deal(.amount): return d.amount != nil
        case .deal(.contact): return d.contact != nil
        case .deal(.company): return d.company != nil
        case .deal(.source): return !(d.source ?? "").trimmed.isEmpty
        case .deal(.responsible): return d.responsible != nil
        case .deal(.headOfSales): return d.headOfSales != nil
        case .contact(.name): return !(s.contact?.name.trimmed.isEmpty ?? true)
        case .contact(.phone): return !(s.contact?.phones.isEmpty ?? true)
        case .contact(.email): return !(s.contact?.emails.isEmpty ?? true)
        case .dealField(let k): return hasValue(d.fields[k])
        case .contactField(let k): return hasValue(s.contact?.fields[k])
        case .companyField(let k): return hasValue(s.company?.fields[k])
        }
    }

    private static func hasValue(_ v: JSONValue?) -> Bool {
        switch v {
        case nil, .null?: false
        case .string(let s)?: !s.trimmed.isEmpty
        case .array(let a)?: !a.isEmpty
        default: true
        }
    }

    /// The name of a field as a manager sees it.
    public static func displayName(_ ref: FieldReference, fields: FieldCatalog) -> Localized {
        switch ref {
        case .deal(.title): .init(ru: "Название", en: "Title")
        case .deal(.amount): .init(ru: "Сумма и валюта", en: "Amount and currency")
        case .deal(.contact): .init(ru: "Контакт", en: "Contact")
        case .deal(.company): .init(ru: "Компания", en: "Company")
        case .deal(.source): .init(ru: "Источник", en: "Source")
        case .deal(.responsible): .init(ru: "Ответственный", en: "Responsible")
        case .deal(.headOfSales): .init(ru: "РОП", en: "Head of sales")
        case .contact(.name): .init(ru: "Контакт: Имя", en: "Contact: name")
        case .contact(.phone): .init(ru: "Контакт: Телефон", en: "Contact: phone")
        case .contact(.email): .init(ru: "Контакт: E-mail", en: "Contact: e-mail")
        case .dealField(let k): fields.definition(.deal, k)?.name ?? .init(ru: k.rawValue, en: k.rawValue)
        case .contactField(let k): prefixed(fields.definition(.contact, k)?.name, k, .init(ru: "Контакт", en: "Contact"))
        case .companyField(let k): prefixed(fields.definition(.company, k)?.name, k, .init(ru: "Компания", en: "Company"))
        }
    }

    private static func prefixed(_ name: Localized?, _ key: FieldKey, _ entity: Localized) -> Localized {
        .init(ru: "\(entity.ru): \(name?.ru ?? key.rawValue)", en: "\(entity.en): \(name?.en ?? key.rawValue)")
    }
}

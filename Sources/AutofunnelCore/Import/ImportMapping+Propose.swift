import Foundation

/// The mapping proposed from a file's header: Autofunnel's own export maps to itself; amoCRM's and Bitrix24's export
/// headers (Russian, and English where known) map by the tables below; a header none of them knows is left for the
/// user (`ImportMapping.unmapped`).
extension ImportMapping {
    /// Which system a header comes from.
    public enum Format: String, Sendable, CaseIterable {
        case autofunnel, amocrm, bitrix24, generic
    }

    /// The format a header looks like: every column Autofunnel's own; amoCRM's `Этап сделки`; Bitrix24's stage column.
    public static func format(of header: [String]) -> Format {
        let names = Set(header.map(Self.normalized))
        if !names.isEmpty, names.allSatisfy({ ImportColumn(name: $0) != nil }) { return .autofunnel }
        if names.contains("этап сделки") { return .amocrm }
        if names.contains("стадия сделки") || (names.contains("stage") && names.contains("deal name")) { return .bitrix24 }
        return .generic
    }

    /// A mapping for `header`: columns it recognises, the rest `?`.
    public static func propose(header: [String], pipeline: String? = nil) -> ImportMapping {
        let format = format(of: header)
        var columns: [String: String] = [:]
        for name in header where !name.isEmpty {
            columns[name] = column(for: name, format: format)?.name ?? unmapped
        }
        return ImportMapping(source: format == .generic ? "csv" : format.rawValue, pipeline: pipeline, columns: columns)
    }

    static func normalized(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}"))).lowercased()
    }

    static func column(for header: String, format: Format) -> ImportColumn? {
        let h = normalized(header)
        switch format {
        case .autofunnel: return ImportColumn(name: h)
        case .amocrm:
            if h.hasPrefix("бюджет") { return .amount }
            if h.hasPrefix("примечание") { return .ignore }
            return amoCRM[h]
        case .bitrix24: return bitrix24[h]
        case .generic: return ImportColumn(name: h) ?? amoCRM[h] ?? bitrix24[h]
        }
    }

    /// amoCRM's deal export (`IMPORT.md` §1).
    static let amoCRM: [String: ImportColumn] = [
        "id": .id, "название сделки": .title, "ответственный": .responsible, "дата создания сделки": .createdAt, "дата закрытия": .closedAt,
        "этап сделки": .stage, "воронка": .pipeline, "полное имя контакта": .contactName, "компания": .companyName,
        "рабочий телефон": .contactPhones, "рабочий прямой телефон": .contactPhones, "мобильный телефон": .contactPhones,
        "факс": .contactPhones, "домашний телефон": .contactPhones, "другой телефон": .contactPhones, "рабочий email": .contactEmails,
        "личный email": .contactEmails, "другой email": .contactEmails, "кем создана сделка": .ignore, "дата редактирования": .ignore,
        "кем редактирована": .ignore, "теги": .tags, "компания контакта": .ignore, "ответственный за контакт": .ignore,
    ]

    /// Bitrix24's deal export, Russian and English (`IMPORT.md` §2).
    static let bitrix24: [String: ImportColumn] = [
        "id": .id, "название сделки": .title, "deal name": .title, "стадия сделки": .stage, "stage": .stage, "направление": .pipeline,
        "pipeline": .pipeline, "сумма": .amount, "income": .amount, "валюта": .currency, "currency": .currency,
        "ответственный": .responsible, "responsible": .responsible, "дата создания": .createdAt, "created": .createdAt,
        "компания": .companyName, "company": .companyName, "контакт": .contactName, "contact": .contactName, "источник": .source,
        "source": .source, "предполагаемая дата закрытия": .ignore, "assumed close date": .ignore, "дата изменения": .ignore,
        "modified": .ignore, "кем создана": .ignore, "created by": .ignore, "кем изменена": .ignore, "modified by": .ignore,
        "сделка закрыта": .ignore, "closed": .ignore, "группа стадий": .ignore, "deal status": .ignore, "тип": .ignore, "type": .ignore,
        "комментарий": .ignore, "comment": .ignore,
    ]
}

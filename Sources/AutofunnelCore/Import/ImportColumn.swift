import Foundation

/// What a column of an import file holds: one attribute of a deal (and its contact and company), a custom field, or
/// nothing we keep. Its name is the header Autofunnel's own export writes, so an export reads back with no mapping.
public enum ImportColumn: Hashable, Sendable {
    case id, pipeline, stage, status, title, amount, currency, responsible, headOfSales
    case contactID, contactName, contactPhones, contactEmails, companyID, companyName
    case source, createdAt, stageEnteredAt, closedAt, lossComment, lineage
    /// The deal's tags, comma-separated in one cell (amoCRM's export writes them so).
    case tags
    /// A custom deal field, by key.
    case field(String)
    /// A column read and left alone.
    case ignore

    static let named: [String: ImportColumn] = [
        "id": .id, "pipeline": .pipeline, "stage": .stage, "status": .status, "title": .title, "amount": .amount, "currency": .currency,
        "responsible": .responsible, "head_of_sales": .headOfSales, "contact_id": .contactID, "contact_name": .contactName,
        "contact_phones": .contactPhones, "contact_emails": .contactEmails, "company_id": .companyID, "company_name": .companyName,
        "source": .source, "created_at": .createdAt, "stage_entered_at": .stageEnteredAt, "closed_at": .closedAt,
        "loss_comment": .lossComment, "lineage": .lineage, "tags": .tags, "ignore": .ignore,
    ]

    /// The column a mapping names: `title`, `field:budget`, `ignore`, …; nil for a name that is none of them.
    public init?(name: String) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("field:") {
            let key = String(trimmed.dropFirst(6))
            guard !key.isEmpty else { return nil }
            self = .field(key)
        } else if let known = Self.named[trimmed.lowercased()] {
            self = known
        } else {
            return nil
        }
    }

    /// The name a mapping file and the export use.
    public var name: String {
        if case .field(let key) = self { return "field:" + key }
        return Self.named.first { $0.value == self }?.key ?? "ignore"
    }

    /// Several columns of the file may feed one of these (amoCRM has six phone columns): their values are joined.
    public var gathers: Bool { self == .contactPhones || self == .contactEmails }
}

import AutofunnelCore
import AutofunnelStore

/// Attributes of a deal as a caller sends them, before validation. Nil means "leave as it is".
public struct DealInput: Sendable {
    /// An amount as sent: a decimal text and a currency code.
    public struct Amount: Sendable {
        public var value: String
        public var currency: String
        public init(value: String, currency: String) {
            self.value = value
            self.currency = currency
        }
    }

    public var title: String?
    public var amount: Amount?
    public var responsible: UserID?
    public var headOfSales: UserID?
    public var contact: ContactID?
    public var company: CompanyID?
    public var source: String?
    /// Custom field values; `null` clears one.
    public var fields: [String: JSONValue]?

    public init(
        title: String? = nil, amount: Amount? = nil, responsible: UserID? = nil, headOfSales: UserID? = nil, contact: ContactID? = nil,
        company: CompanyID? = nil, source: String? = nil, fields: [String: JSONValue]? = nil
    ) {
        self.title = title
        self.amount = amount
        self.responsible = responsible
        self.headOfSales = headOfSales
        self.contact = contact
        self.company = company
        self.source = source
        self.fields = fields
    }

    /// Applies the input to `deal`, checking every value; returns all problems at once.
    func apply(to deal: inout Deal, session s: StoreSession, catalog: FieldCatalog) async throws -> [Violation] {
        var problems: [Violation] = []
        if let title {
            let t = title.trimmed
            if let unstorable = UserText.unstorable(t, field: "title") {
                problems.append(unstorable)
            } else if t.isEmpty || t.count > 500 {
                problems.append(
                    .init(
                        rule: .invalidValue, field: "title",
                        message: .init(ru: "Название: от 1 до 500 символов", en: "Title must have 1 to 500 characters")))
            } else {
                deal.title = t
            }
        }
        if let amount {
            switch AmountParsing.parse(amount) {
            case .success(let money): deal.amount = money
            case .failure(let v): problems.append(v)
            }
        }
        if let source {
            if let unstorable = UserText.unstorable(source, field: "source") {
                problems.append(unstorable)
            } else if source.count > 200 {
                problems.append(
                    .init(
                        rule: .invalidValue, field: "source",
                        message: .init(ru: "Источник: не длиннее 200 символов", en: "Source: at most 200 characters")))
            } else {
                deal.source = source.trimmed.isEmpty ? nil : source.trimmed
            }
        }
        if let id = responsible { if try await exists(user: id, s, "responsibleId", &problems) { deal.responsible = id } }
        if let id = headOfSales { if try await exists(user: id, s, "headOfSalesId", &problems) { deal.headOfSales = id } }
        // Linking locks the contact's (company's) row: a concurrent delete, which refuses while an open deal uses it,
        // waits for this transaction, or this one finds it deleted.
        if let id = contact {
            if try await Self.found({ _ = try await s.contact(id, forUpdate: true) }) {
                deal.contact = id
            } else {
                problems.append(Self.unknown("contactId", "контакта", "contact", id.rawValue))
            }
        }
        if let id = company {
            if try await Self.found({ _ = try await s.company(id, forUpdate: true) }) {
                deal.company = id
            } else {
                problems.append(Self.unknown("companyId", "компании", "company", id.rawValue))
            }
        }
        if let fields {
            switch catalog.validate(fields, entity: .deal) {
            case .success(let values):
                for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                    if catalog.definition(.deal, key)?.type == .user, case .number(let n)? = value,
                        try await !Self.found({ _ = try await s.user(UserID(Int64(n))) })
                    {
                        problems.append(Self.unknown("fields.\(key)", "пользователя", "user", Int64(n)))
                        continue
                    }
                    deal.fields[key] = value
                }
            case .failure(let refusal): problems += refusal.violations
            }
        }
        return problems
    }

    private func exists(user id: UserID, _ s: StoreSession, _ field: String, _ problems: inout [Violation]) async throws -> Bool {
        if try await Self.found({ _ = try await s.user(id) }) { return true }
        problems.append(Self.unknown(field, "пользователя", "user", id.rawValue))
        return false
    }

    static func found(_ lookup: () async throws -> Void) async throws -> Bool {
        do {
            try await lookup()
            return true
        } catch StoreError.notFound {
            return false
        }
    }

    static func unknown(_ field: String, _ ru: String, _ en: String, _ id: Int64) -> Violation {
        Violation(rule: .unknownReference, field: field, message: .init(ru: "Нет \(ru) с id \(id)", en: "No \(en) with id \(id)"))
    }
}

/// Reads `{value, currency}` into money with field-level violations.
enum AmountParsing {
    static func parse(_ a: DealInput.Amount, field: String = "amount") -> Result<Money, Violation> {
        guard let currency = CurrencyCode(a.currency) else {
            return .failure(
                .init(
                    rule: .invalidValue, field: field + ".currency",
                    message: .init(
                        ru: "«\(a.currency)» — не код валюты ISO 4217", en: "'\(a.currency)' is not an ISO 4217 currency code")))
        }
        switch Money.parse(a.value, currency: currency) {
        case .success(let m): return .success(m)
        case .failure(let e):
            let (ru, en): (String, String) =
                switch e {
                case .negative: ("сумма не может быть отрицательной", "the amount cannot be negative")
                case .notADecimal: ("сумма — десятичное число вида 1500.50", "the amount must be a decimal such as 1500.50")
                case .tooManyFractionDigits:
                    (
                        "у \(currency.code) не больше \(currency.minorUnitDigits) знаков после запятой",
                        "\(currency.code) takes at most \(currency.minorUnitDigits) decimals"
                    )
                case .tooLarge: ("сумма слишком велика", "the amount is too large")
                }
            return .failure(.init(rule: .invalidValue, field: field + ".value", message: .init(ru: "Сумма: " + ru, en: "Amount: " + en)))
        }
    }
}

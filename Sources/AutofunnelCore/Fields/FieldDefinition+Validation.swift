extension FieldDefinition {
    /// Checks a value against this field's type and returns it in the stored form
    /// (phones without punctuation, e-mail lower-cased, money as `{value, currency}`), or the violation.
    public func validate(_ value: JSONValue, fieldPath: String? = nil) -> Result<JSONValue, Violation> {
        let path = fieldPath ?? key.rawValue
        func bad(_ ru: String, _ en: String) -> Result<JSONValue, Violation> {
            .failure(Violation(rule: .invalidValue, field: path, message: .init(ru: "Поле «\(name.ru)»: \(ru)", en: "Field '\(name.en)': \(en)")))
        }
        switch (type, value) {
        case (.text, .string(let s)):
            if let unstorable = UserText.unstorable(s, field: path) { return .failure(unstorable) }
            return s.count <= 10_000 ? .success(.string(s)) : bad("не длиннее 10000 символов", "at most 10000 characters")
        case (.number, .number(let n)):
            return n.isFinite ? .success(.number(n)) : bad("нужно конечное число", "must be a finite number")
        case (.money, .object(let o)):
            guard case .string(let amount)? = o["value"], case .string(let code)? = o["currency"], o.count == 2 else {
                return bad("нужен объект {value, currency}", "must be an object {value, currency}")
            }
            guard let currency = CurrencyCode(code) else { return bad("неизвестная валюта \(code)", "unknown currency \(code)") }
            switch Money.parse(amount, currency: currency) {
            case .success(let money): return .success(.object(["value": .string(money.decimalText), "currency": .string(code)]))
            case .failure: return bad("сумма должна быть неотрицательным десятичным числом", "amount must be a non-negative decimal")
            }
        case (.enum, .string(let s)):
            return (options ?? []).contains { $0.key == s } ? .success(.string(s)) : bad("нет варианта «\(s)»", "no option '\(s)'")
        case (.user, .number(let n)):
            return n.rounded() == n && n > 0 && n < 9e15 ? .success(.number(n)) : bad("нужен id пользователя", "must be a user id")
        case (.date, .string(let s)):
            return CalendarText.isDate(s) ? .success(.string(s)) : bad("нужна дата ГГГГ-ММ-ДД", "must be a date YYYY-MM-DD")
        case (.datetime, .string(let s)):
            return CalendarText.isDateTime(s) ? .success(.string(s)) : bad("нужны дата и время RFC 3339", "must be an RFC 3339 date-time")
        case (.phone, .string(let s)):
            guard let phone = PhoneNumber.normalize(s) else { return bad("нужен телефон из 7–15 цифр", "must be a phone number of 7–15 digits") }
            return .success(.string(phone))
        case (.email, .string(let s)):
            guard let email = EmailAddress.normalize(s) else { return bad("нужен адрес e-mail", "must be an e-mail address") }
            return .success(.string(email))
        case (.boolean, .bool(let b)):
            return .success(.bool(b))
        default:
            return bad("значение не того типа (\(type.rawValue))", "wrong type of value (expected \(type.rawValue))")
        }
    }
}

/// Timeline entries and free text as the reader may see them.
extension FieldView {
    /// What stands in for a value the reader may not see.
    public static let mask = "•••"

    /// The entry as the reader may see it, or nil to leave it out: a change of a field hidden from them is left out
    /// (its old and new values are that field's values), a message's address is masked when they see no contact
    /// details, and every text loses the values of `s` they may not see (a note or a rendered message that quotes the
    /// contact's phone).
    public func timeline(_ e: TimelineEntry, in s: DealSnapshot) -> TimelineEntry? {
        guard reader != nil else { return e }
        if let (entity, field) = Self.changedField(e), !shows(entity, field) { return nil }
        var out = e
        out.old = e.old.map { redact($0, in: s) }
        out.new = e.new.map { redact($0, in: s) }
        out.text = e.text.map { redact(e.kind == "message_out" ? maskAddress($0) : $0, in: s) }
        return out
    }

    /// The note with its text cleaned of the values of `s` the reader may not see.
    public func note(_ n: Note, in s: DealSnapshot) -> Note {
        var out = n
        out.text = redact(n.text, in: s)
        return out
    }

    /// The task with its title and text (a rule renders them with every value) cleaned of the values of `s` the reader
    /// may not see.
    public func task(_ t: DealTask, in s: DealSnapshot) -> DealTask {
        var out = t
        out.title = redact(t.title, in: s)
        out.text = t.text.map { redact($0, in: s) }
        return out
    }

    /// The field whose values a value-change entry records, named as `shows` takes it; nil for other entries (a rule's
    /// or channel's name in `field` is not a field). `fields.x` is the deal's custom field, `contact.phones` and
    /// `contact.fields.x` the contact's, `headOfSales` the attribute `headOfSalesId`.
    static func changedField(_ e: TimelineEntry) -> (FieldEntity, String)? {
        guard let field = e.field, e.old != nil || e.new != nil else { return nil }
        let parts = field.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            return (.deal, ["responsible", "headOfSales", "contact", "company"].contains(field) ? field + "Id" : field)
        }
        let rest = parts[1].hasPrefix("fields.") ? String(parts[1].dropFirst("fields.".count)) : parts[1]
        switch parts[0] {
        case "fields": return (.deal, parts[1])
        case "contact": return (.contact, rest == "phone" ? "phones" : rest == "email" ? "emails" : rest)
        case "company": return (.company, rest)
        default: return (.deal, field)
        }
    }

    /// `whatsapp → +79001234567: text` with the address masked for a reader who sees no contact phones or e-mails.
    func maskAddress(_ text: String) -> String {
        guard !(shows(.contact, "phones") && shows(.contact, "emails")), let arrow = text.utf8Range(of: " → ") else { return text }
        let rest = text[arrow.upperBound...]
        let end = rest.utf8Range(of: ": ")?.lowerBound ?? rest.endIndex
        return String(text[..<arrow.upperBound]) + Self.mask + String(rest[end...])
    }

    /// The text with every value of the deal, its contact and company that the reader may not see replaced by
    /// `mask`: text values case-insensitively, phones also when written with spaces, dashes or brackets or with 8 for +7.
    /// `html` also finds the values escaped as a document renders them.
    public func redact(_ text: String, in s: DealSnapshot, html: Bool = false) -> String {
        let (values, phones) = hiddenValues(in: s)
        guard !text.isEmpty, !values.isEmpty || !phones.isEmpty else { return text }
        let chars = Array(text)
        var masked = TextMask.phones(phones, in: chars)
        let lower = chars.map { $0.lowercased() }
        for value in values {
            TextMask.mark(value, in: lower, into: &masked)
            if html { TextMask.mark(TaskTemplate.escape(value), in: lower, into: &masked) }
        }
        return TextMask.apply(masked, to: chars, mask: Self.mask)
    }

    /// The values of `s` hidden from the reader, as text, and the digits of its hidden phones.
    func hiddenValues(in s: DealSnapshot) -> (values: [String], phones: [String]) {
        guard reader != nil else { return ([], []) }
        var values: [String] = []
        var phones: [String] = []
        if let c = s.contact {
            if !shows(.contact, "phones") {
                values += c.phones
                phones += c.phones.map { String($0.filter(\.isASCIIDigit)) }
            }
            if !shows(.contact, "emails") { values += c.emails }
            for (key, value) in c.fields where !shows(.contact, key.rawValue) { values += Self.texts(value) }
        }
        for (key, value) in s.deal.fields where !shows(.deal, key.rawValue) { values += Self.texts(value) }
        for (key, value) in s.company?.fields ?? [:] where !shows(.company, key.rawValue) { values += Self.texts(value) }
        if !shows(.deal, "amount"), let amount = s.deal.amount { values += [DealChanges.render(amount), amount.decimalText] }
        if !shows(.deal, "source"), let source = s.deal.source { values.append(source) }
        if !shows(.deal, "lossComment"), let comment = s.deal.lossComment { values.append(comment) }
        // Very short values (a flag, a digit) would mask unrelated text and say little on their own.
        let texts = Set(values.map(\.trimmed).filter { $0.count >= 3 }).sorted { $0.count > $1.count }
        return (texts, phones.filter { $0.count >= 7 })
    }

    /// A stored value as the texts it shows as: the whole, and each string or number inside.
    static func texts(_ v: JSONValue) -> [String] {
        switch v {
        case .array(let a): [DealChanges.render(v)] + a.flatMap(texts)
        case .object(let o): [DealChanges.render(v)] + o.values.flatMap(texts)
        case .null, .bool: []
        case .number, .string: [DealChanges.render(v)]
        }
    }
}

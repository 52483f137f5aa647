/// What one reader may see of deals, contacts and companies. `shows(_:_:)` is the one decision on field visibility for
/// every channel — the JSON API, the pages, the Bitrix24 and amoCRM dialects, templates, CSV exports and documents;
/// the other methods apply it to whole records, timeline entries and free text.
public struct FieldView: Sendable {
    /// Who reads; nil is the automation, which sees everything.
    public let reader: Principal?
    /// The field definitions whose `access` rules apply, besides the built-in rules.
    public let catalog: FieldCatalog

    /// The view of a signed-in reader.
    public init(_ reader: Principal, catalog: FieldCatalog) {
        self.reader = reader
        self.catalog = catalog
    }

    private init(automationWith catalog: FieldCatalog) {
        reader = nil
        self.catalog = catalog
    }

    /// The automation's view: rules render messages, tasks and documents with every value.
    public static func automation(_ catalog: FieldCatalog) -> FieldView { FieldView(automationWith: catalog) }

    /// Whether the reader sees a field: a built-in one by its API name (`headOfSalesId`, `amount`, `phones`, `emails`)
    /// or a custom one by its key. Hidden means left out: neither the value nor a change of it is shown.
    public func shows(_ entity: FieldEntity, _ field: String) -> Bool {
        guard let reader else { return true }
        return reader.access(entity, field, definition: catalog.definition(entity, FieldKey(field))) != .hidden
    }

    /// Whether the reader sees every field there is: then nothing needs cleaning for them.
    public var showsEverything: Bool {
        guard let reader, reader.role != .admin else { return true }
        let builtins: [(FieldEntity, String)] = [
            (.deal, "amount"), (.deal, "responsibleId"), (.deal, "headOfSalesId"), (.deal, "contactId"), (.deal, "companyId"),
            (.deal, "source"), (.deal, "lossComment"), (.contact, "phones"), (.contact, "emails"),
        ]
        return builtins.allSatisfy { shows($0.0, $0.1) }
            && FieldEntity.allCases.allSatisfy { e in catalog.all(e).allSatisfy { shows(e, $0.key.rawValue) } }
    }

    /// Whether the reader sees the field a stage requirement names (`contact.phone`, `amount`, `company.inn`).
    public func shows(_ ref: FieldReference) -> Bool {
        switch ref {
        case .deal(let a): shows(.deal, Self.builtinName(a))
        case .contact(.phone): shows(.contact, "phones")
        case .contact(.email): shows(.contact, "emails")
        case .contact(.name): shows(.deal, "contactId")
        case .dealField(let k): shows(.deal, k.rawValue)
        case .contactField(let k): shows(.contact, k.rawValue)
        case .companyField(let k): shows(.company, k.rawValue)
        }
    }

    /// The API name of a deal attribute, which the access rules use.
    static func builtinName(_ a: FieldReference.DealAttribute) -> String {
        switch a {
        case .title, .amount, .source: a.rawValue
        case .contact, .company, .responsible, .headOfSales: a.rawValue + "Id"
        }
    }

    /// The deal without what the reader may not see: hidden attributes are nil, hidden custom fields absent.
    public func deal(_ d: Deal) -> Deal {
        guard reader != nil else { return d }
        var out = d
        if !shows(.deal, "amount") { out.amount = nil }
        if !shows(.deal, "responsibleId") { out.responsible = nil }
        if !shows(.deal, "headOfSalesId") { out.headOfSales = nil }
        if !shows(.deal, "contactId") { out.contact = nil }
        if !shows(.deal, "companyId") { out.company = nil }
        if !shows(.deal, "source") { out.source = nil }
        if !shows(.deal, "lossComment") { out.lossComment = nil }
        out.fields = d.fields.filter { shows(.deal, $0.key.rawValue) }
        return out
    }

    /// The contact without what the reader may not see: no phones or e-mails for roles without contact details.
    public func contact(_ c: Contact) -> Contact {
        guard reader != nil else { return c }
        var out = c
        if !shows(.contact, "phones") { out.phones = [] }
        if !shows(.contact, "emails") { out.emails = [] }
        out.fields = c.fields.filter { shows(.contact, $0.key.rawValue) }
        return out
    }

    /// The company without its hidden custom fields.
    public func company(_ c: Company) -> Company {
        guard reader != nil else { return c }
        var out = c
        out.fields = c.fields.filter { shows(.company, $0.key.rawValue) }
        return out
    }

    /// The deal, its contact and company as the reader may see them; templates render from this.
    public func snapshot(_ s: DealSnapshot) -> DealSnapshot {
        guard reader != nil else { return s }
        let deal = deal(s.deal)
        return DealSnapshot(
            deal: deal, contact: deal.contact == nil ? nil : s.contact.map(contact), company: deal.company == nil ? nil : s.company.map(company))
    }
}

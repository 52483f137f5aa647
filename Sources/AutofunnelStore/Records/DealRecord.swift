import AutofunnelCore

/// A row of `deals`.
struct DealRecord: LiveRecord {
    static let table = "deals"
    static let entity = "deal"
    var id: Int64?
    var lineage_id: String
    var pipeline_key: String
    var stage_key: String
    var status: String
    var title: String
    var amount: Int64?
    var currency: String?
    var responsible_id: Int64?
    var head_of_sales_id: Int64?
    var contact_id: Int64?
    var company_id: Int64?
    var source: String?
    var fields: String
    var loss_comment: String?
    var copied_from_id: Int64?
    var created_at: Int64
    var updated_at: Int64
    var stage_entered_at: Int64
    var closed_at: Int64?

    /// Encodes every column but an unset `id`, so inserts get a new id and updates never touch it.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(lineage_id, forKey: .lineage_id)
        try c.encode(pipeline_key, forKey: .pipeline_key)
        try c.encode(stage_key, forKey: .stage_key)
        try c.encode(status, forKey: .status)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(amount, forKey: .amount)
        try c.encodeIfPresent(currency, forKey: .currency)
        try c.encodeIfPresent(responsible_id, forKey: .responsible_id)
        try c.encodeIfPresent(head_of_sales_id, forKey: .head_of_sales_id)
        try c.encodeIfPresent(contact_id, forKey: .contact_id)
        try c.encodeIfPresent(company_id, forKey: .company_id)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encode(fields, forKey: .fields)
        try c.encodeIfPresent(loss_comment, forKey: .loss_comment)
        try c.encodeIfPresent(copied_from_id, forKey: .copied_from_id)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(updated_at, forKey: .updated_at)
        try c.encode(stage_entered_at, forKey: .stage_entered_at)
        try c.encodeIfPresent(closed_at, forKey: .closed_at)
        // Written with the title in the same statement: the search index never lags the row.
        var search = encoder.container(keyedBy: SearchColumn.self)
        try search.encode(SearchText.deal(title: title), forKey: .search_text)
    }

    /// The folded title the search index reads; written, never read back.
    enum SearchColumn: String, CodingKey { case search_text }

    init(_ d: Deal) {
        id = d.id.rawValue == 0 ? nil : d.id.rawValue
        lineage_id = d.lineage.rawValue
        pipeline_key = d.pipeline.rawValue
        stage_key = d.stage.rawValue
        status = d.status.rawValue
        title = d.title
        amount = d.amount?.scaledUnits
        currency = d.amount?.currency.code
        responsible_id = d.responsible?.rawValue
        head_of_sales_id = d.headOfSales?.rawValue
        contact_id = d.contact?.rawValue
        company_id = d.company?.rawValue
        source = d.source
        fields = JSONText.fields(d.fields)
        loss_comment = d.lossComment
        copied_from_id = d.copiedFrom?.rawValue
        created_at = d.createdAt.millis
        updated_at = d.updatedAt.millis
        stage_entered_at = d.stageEnteredAt.millis
        closed_at = d.closedAt?.millis
    }

    func deal() throws -> Deal {
        guard let id, let status = DealStatus(rawValue: status) else { throw StoreError.corrupt("deal row \(id ?? 0)") }
        var money: Money?
        if let amount, let code = currency {
            guard let c = CurrencyCode(code) else { throw StoreError.corrupt("deal \(id) currency \(code)") }
            money = Money(scaledUnits: amount, currency: c)
        }
        let responsible: UserID? = responsible_id.map { UserID($0) }
        let head: UserID? = head_of_sales_id.map { UserID($0) }
        let contact: ContactID? = contact_id.map { ContactID($0) }
        let company: CompanyID? = company_id.map { CompanyID($0) }
        let copiedFrom: DealID? = copied_from_id.map { DealID($0) }
        let closed: Timestamp? = closed_at.map { Timestamp(millis: $0) }
        let values = try JSONText.fields(fields)
        return Deal(
            id: DealID(id), lineage: LineageID(lineage_id), pipeline: PipelineKey(pipeline_key), stage: StageKey(stage_key), status: status,
            title: title, amount: money, responsible: responsible, headOfSales: head, contact: contact, company: company, source: source,
            fields: values, lossComment: loss_comment, copiedFrom: copiedFrom, createdAt: Timestamp(millis: created_at),
            updatedAt: Timestamp(millis: updated_at), stageEnteredAt: Timestamp(millis: stage_entered_at), closedAt: closed)
    }

    static let columns = [
        "id", "lineage_id", "pipeline_key", "stage_key", "status", "title", "amount", "currency", "responsible_id", "head_of_sales_id",
        "contact_id", "company_id", "source", "fields", "loss_comment", "copied_from_id", "created_at", "updated_at", "stage_entered_at",
        "closed_at",
    ]
}

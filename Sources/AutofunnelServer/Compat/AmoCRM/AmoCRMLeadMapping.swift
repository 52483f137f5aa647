import AutofunnelCore
import AutofunnelEngine

/// Deals as amoCRM leads: `name`, `price` (whole units), `status_id`/`pipeline_id` from `AmoCRMCatalog`,
/// `responsible_user_id`, `custom_fields_values`, times in seconds and the contact and company under `_embedded`.
enum AmoCRMLeadMapping {
    /// What one item of a create or update asks for.
    struct Sent: Sendable {
        var input = DealInput()
        var pipelineID: Int64?
        var statusID: Int64?
        /// With status 143: which lost stage.
        var lossReasonID: Int64?
        var lossComment: String?
        var tags = AmoCRMTags.Change()
    }

    /// The lead as the caller may see it; `contacts` embeds its contact (`with=contacts`), `lossReason` the loss reason
    /// of a lost lead (`with=loss_reason`).
    static func row(
        _ deal: Deal, catalog: AmoCRMCatalog, fields: FieldCatalog, principal p: Principal, base: String, contacts: Bool, lossReason: Bool = false,
        tags: [Tag]
    ) -> JSONValue {
        let entry = catalog.entry(of: deal.pipeline)
        let lost = deal.status == .lost ? entry?.pipeline.stage(deal.stage) : nil
        let view = FieldView(p, catalog: fields)
        let hidden = { (field: String) in !view.shows(.deal, field) }
        let price = hidden("amount") ? nil : deal.amount.map { Int64($0.decimalText.split(separator: ".").first ?? "0") ?? 0 }
        var embedded: [String: JSONValue] = ["tags": AmoCRMTags.embedded(tags)]
        if let company = deal.company, !hidden("companyId") {
            embedded["companies"] = .array([
                .object(["id": .number(Double(company.rawValue)), "_links": AmoCRMMethods.selfLink("\(base)/companies/\(company)")])
            ])
        } else {
            embedded["companies"] = .array([])
        }
        if contacts {
            let list: [JSONValue] =
                deal.contact.flatMap { c in
                    hidden("contactId")
                        ? nil
                        : [
                            .object([
                                "id": .number(Double(c.rawValue)), "is_main": .bool(true), "_links": AmoCRMMethods.selfLink("\(base)/contacts/\(c)"),
                            ])
                        ]
                } ?? []
            embedded["contacts"] = .array(list)
        }
        if lossReason {
            embedded["loss_reason"] = .array(
                lost.map { stage in
                    let name = p.user.locale == .ru ? stage.name.ru : stage.name.en
                    return [.object(["id": .number(Double(AmoCRMCatalog.lossReasonID(stage.key))), "name": .string(name)])]
                } ?? [])
        }
        return .object([
            "id": .number(Double(deal.id.rawValue)), "name": .string(deal.title), "price": price.map { .number(Double($0)) } ?? .number(0),
            "responsible_user_id": hidden("responsibleId") ? .null : AmoCRMMethods.number(deal.responsible), "group_id": .number(0),
            "status_id": catalog.statusID(of: deal).map { .number(Double($0)) } ?? .null,
            "pipeline_id": entry.map { .number(Double($0.id)) } ?? .null,
            "loss_reason_id": lost.map { .number(Double(AmoCRMCatalog.lossReasonID($0.key))) } ?? .null, "created_by": .number(0),
            "updated_by": .number(0), "created_at": AmoCRMMethods.seconds(deal.createdAt), "updated_at": AmoCRMMethods.seconds(deal.updatedAt),
            "closed_at": AmoCRMMethods.seconds(deal.closedAt), "closest_task_at": .null, "is_deleted": .bool(false),
            "custom_fields_values": AmoCRMFields.values(deal.fields, entity: .deal, catalog: fields, principal: p, russian: p.user.locale == .ru),
            "score": .null, "account_id": .number(Double(AmoCRMMethods.accountID)), "labor_cost": .null,
            "_links": AmoCRMMethods.selfLink("\(base)/leads/\(deal.id)"), "_embedded": .object(embedded),
        ])
    }

    /// Reads one item of `POST /leads` or `PATCH /leads`; `current` supplies the currency of a bare price.
    static func sent(_ item: JSONValue, fields: FieldCatalog, current: Deal?) throws -> Sent {
        guard case .object = item else { throw AmoCRMError.invalid("Each item is an object") }
        var out = Sent()
        out.input.title = item[lenient: "name"]?.lenientText
        if let price = item[lenient: "price"], price != .null {
            guard let text = price.lenientText else { throw AmoCRMError.invalid("price is a number", path: "price") }
            out.input.amount = .init(value: text, currency: current?.amount?.currency.code ?? "RUB")
        }
        out.input.responsible = try integer(item, "responsible_user_id").map(UserID.init(rawValue:))
        out.pipelineID = try integer(item, "pipeline_id")
        out.statusID = try integer(item, "status_id")
        out.lossReasonID = try integer(item, "loss_reason_id")
        out.input.fields = try AmoCRMFields.read(item[lenient: "custom_fields_values"], entity: .deal, catalog: fields)
        let embedded = item[lenient: "_embedded"] ?? .null
        if let contact = embedded[lenient: "contacts"]?.lenientItems.first {
            out.input.contact = try integer(contact, "id").map(ContactID.init(rawValue:))
        }
        if let company = embedded[lenient: "companies"]?.lenientItems.first {
            out.input.company = try integer(company, "id").map(CompanyID.init(rawValue:))
        }
        out.lossComment = item[lenient: "loss_comment"]?.lenientText
        out.tags = AmoCRMTags.sent(item)
        return out
    }

    /// An optional integer member; anything but an integer (or null) is a 400 naming it.
    static func integer(_ item: JSONValue, _ name: String) throws -> Int64? {
        guard let value = item[lenient: name], value != .null else { return nil }
        guard let n = value.lenientInt else { throw AmoCRMError.invalid("\(name) is an integer", path: name) }
        return n
    }
}

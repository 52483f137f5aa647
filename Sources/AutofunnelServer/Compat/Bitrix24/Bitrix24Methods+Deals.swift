import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `crm.deal.*`: every change goes through `DealService`; a new `STAGE_ID` is a move on the one transition path.
extension Bitrix24Methods {
    /// What `fields` of `crm.deal.add`/`update` ask for.
    struct DealFields {
        var input = DealInput()
        var categoryID: Int64?
        var stageID: String?
        var comment: String?
    }

    /// Reads `fields{TITLE, OPPORTUNITY, CURRENCY_ID, ASSIGNED_BY_ID, CONTACT_ID, COMPANY_ID, CATEGORY_ID, STAGE_ID,
    /// SOURCE_ID, COMMENTS, UF_CRM_…}`; other names are ignored. `current` supplies the currency of a bare amount.
    static func dealFields(_ p: JSONValue, catalog: FieldCatalog, current: Deal?) -> DealFields {
        let f = p[lenient: "fields"] ?? .null
        var out = DealFields()
        out.input.title = f[lenient: "TITLE"]?.lenientText
        let value = f[lenient: "OPPORTUNITY"]?.lenientText.flatMap { $0.isEmpty ? nil : $0 }
        let currency = f[lenient: "CURRENCY_ID"]?.lenientText.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        if value != nil || currency != nil {
            out.input.amount = .init(
                value: value ?? current?.amount?.decimalText ?? "0", currency: currency ?? current?.amount?.currency.code ?? "RUB")
        }
        out.input.responsible = f[lenient: "ASSIGNED_BY_ID"]?.lenientInt.map(UserID.init(rawValue:))
        out.input.contact = (f[lenient: "CONTACT_ID"]?.lenientInt ?? f[lenient: "CONTACT_IDS"]?.lenientItems.first?.lenientInt).map(
            ContactID.init(rawValue:))
        out.input.company = f[lenient: "COMPANY_ID"]?.lenientInt.map(CompanyID.init(rawValue:))
        out.input.source = f[lenient: "SOURCE_ID"]?.lenientText
        out.categoryID = f[lenient: "CATEGORY_ID"]?.lenientInt
        out.stageID = f[lenient: "STAGE_ID"]?.lenientText.flatMap { $0.isEmpty ? nil : $0 }
        out.comment = f[lenient: "COMMENTS"]?.lenientText
        var custom: [String: JSONValue] = [:]
        for (name, v) in f.lenientObject {
            guard let key = Bitrix24DealMapping.fieldKey(name), let d = catalog.definition(.deal, key) else { continue }
            custom[key.rawValue] = SentFieldValue.ours(v, type: d.type)
        }
        if !custom.isEmpty { out.input.fields = custom }
        return out
    }

    static func crossPipeline(_ russian: Bool) -> Bitrix24Error {
        let message = DealService.crossPipeline(field: "CATEGORY_ID").message
        return .invalid(russian ? message.ru : message.en)
    }

    static func unknownStage(_ id: String) -> Bitrix24Error { .invalid("No stage '\(id)'") }

    func dealAdd(_ p: JSONValue) async throws -> Bitrix24Reply {
        let (catalog, fields) = try await catalogs()
        let sent = Self.dealFields(p, catalog: fields, current: nil)
        var category = catalog.category(id: sent.categoryID ?? 0)
        var stage: StageKey?
        if let stageID = sent.stageID {
            guard let (c, s) = catalog.resolve(stageID: stageID, within: category) else { throw Self.unknownStage(stageID) }
            if sent.categoryID != nil && c.id != category?.id { throw Self.unknownStage(stageID) }
            category = c
            stage = s.key
        }
        guard let category else { throw Bitrix24Error.invalid("No category \(sent.categoryID ?? 0)") }
        let deal = try await services.deals.create(
            pipeline: category.pipeline.key, stage: stage, input: sent.input, actor: principal.actor, principal: principal)
        return Bitrix24Reply(result: .number(Double(deal.id.rawValue)))
    }

    func dealGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = DealID(try Self.id(p))
        let deal = try await store.read { s in try await access.deal(id, in: s) }
        let (catalog, fields) = try await catalogs()
        return Bitrix24Reply(result: .object(Bitrix24DealMapping.row(deal, catalog: catalog, fields: fields, principal: principal, custom: true)))
    }

    /// Changes attributes; a `STAGE_ID` other than the deal's is a move (a won or lost stage closes the deal, `COMMENTS`
    /// is then the loss comment), with the other attributes applied in the same transaction. Whether it is a move is
    /// decided on the deal's row as locked by that transaction, so a move made meanwhile by anyone else is seen.
    func dealUpdate(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = DealID(try Self.id(p))
        let (catalog, fields) = try await catalogs()
        let (deals, access, principal, russian, now) = (services.deals, access, principal, russian, services.clock.now())
        _ = try await store.write { s in
            let deal = try await access.deal(id, in: s, forUpdate: true)
            let sent = Self.dealFields(p, catalog: fields, current: deal)
            let category = catalog.category(of: deal.pipeline)
            if let c = sent.categoryID, c != category?.id { throw Self.crossPipeline(russian) }
            var target: StageKey?
            if let stageID = sent.stageID {
                guard let (c, s) = catalog.resolve(stageID: stageID, within: category) else { throw Self.unknownStage(stageID) }
                guard c.id == category?.id else { throw Self.crossPipeline(russian) }
                if s.key != deal.stage { target = s.key }
            }
            if let target {
                return try await deals.move(
                    in: s, id, to: target, input: sent.input, lossComment: sent.comment, actor: principal.actor, principal: principal, now: now)
            }
            return try await deals.update(in: s, id, input: sent.input, actor: principal.actor, principal: principal, now: now)
        }
        return Bitrix24Reply(result: .bool(true))
    }

    func dealDelete(_ p: JSONValue) async throws -> Bitrix24Reply {
        try await services.deals.delete(DealID(try Self.id(p)), principal: principal)
        return Bitrix24Reply(result: .bool(true))
    }

    func dealFields() async throws -> Bitrix24Reply {
        let fields = try await store.read { s in try await s.fieldCatalog() }
        return Bitrix24Reply(result: Bitrix24DealMapping.describe(fields: fields, principal: principal, russian: russian))
    }

    /// `crm.deal.list`: 50 a page from `start`, in `order` (see `dealOrder`), narrowed by `filter` (see `Bitrix24Filter`),
    /// with the fields named in `select` (`*` the built-in ones, `UF_*` the custom ones).
    func dealList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let (catalog, fields) = try await catalogs()
        let (offset, counts) = Self.start(p)
        let query = OffsetListQuery(
            conditions: try Bitrix24Filter.deals(p[lenient: "filter"] ?? .null, catalog: catalog, zone: services.auth.timeZone),
            order: Self.order(p, Self.dealOrder),
            descending: Self.descending(p), offset: offset, limit: Self.pageSize, counts: counts)
        let principal = self.principal
        let (deals, total) = try await store.read { s in
            var scoped = query
            scoped.scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            return try await s.offsetDeals(scoped)
        }
        let select = Set((p[lenient: "select"]?.lenientItems ?? []).compactMap { $0.lenientText?.uppercased() })
        let custom = select.contains("UF_*") || select.contains { $0.hasPrefix("UF_CRM_") }
        let rows = deals.map { deal -> JSONValue in
            let row = Bitrix24DealMapping.row(deal, catalog: catalog, fields: fields, principal: principal, custom: custom)
            return .object(Self.selected(row, select))
        }
        return Self.page(rows, offset: offset, total: total)
    }

    /// Whether `order[ID]` asks for descending ids.
    static func descending(_ p: JSONValue) -> Bool { p[lenient: "order"]?[lenient: "ID"]?.lenientText?.uppercased() == "DESC" }

    /// Deal fields a list may be ordered by, and their columns.
    static let dealOrder = [
        "TITLE": "title", "OPPORTUNITY": "amount", "DATE_CREATE": "created_at", "DATE_MODIFY": "updated_at", "CLOSEDATE": "closed_at",
        "MOVED_TIME": "stage_entered_at", "STAGE_ID": "stage_key", "ASSIGNED_BY_ID": "responsible_id", "CONTACT_ID": "contact_id",
        "COMPANY_ID": "company_id", "SOURCE_ID": "source",
    ]

    /// `order[FIELD]=ASC|DESC` for the fields of `columns` (ID is the last key in any case). A PHP query keeps no
    /// order between keys, so several are applied by name; unknown fields are ignored, as Bitrix24 ignores them.
    static func order(_ p: JSONValue, _ columns: [String: String]) -> [OffsetListQuery.Order] {
        (p[lenient: "order"]?.lenientObject ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
            columns[key.uppercased()].map { OffsetListQuery.Order(column: $0, descending: value.lenientText?.uppercased() == "DESC") }
        }
    }

    /// The row narrowed to `select`; an empty select, `*` or `UF_*` keep the built-in fields.
    static func selected(_ row: [String: JSONValue], _ select: Set<String>) -> [String: JSONValue] {
        guard !select.isEmpty, !select.contains("*") else { return row }
        return row.filter { select.contains($0.key) || $0.key == "ID" || (select.contains("UF_*") && $0.key.hasPrefix("UF_")) }
    }
}

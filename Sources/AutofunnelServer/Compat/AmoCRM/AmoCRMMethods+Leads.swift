import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/leads`: every change goes through `DealService`; a new `status_id` is a move on the one transition path. All items
/// of one request are saved in one transaction: a refused item leaves nothing of the others.
extension AmoCRMMethods {
    /// The pipelines with their ids, and the field catalog, read in one transaction.
    func catalogs() async throws -> (AmoCRMCatalog, FieldCatalog) {
        try await store.read { s in (AmoCRMCatalog(pipelines: try await s.pipelines()), try await s.fieldCatalog()) }
    }

    /// Whether `with=` names `what`.
    func with(_ what: String) -> Bool {
        (query["with"]?.lenientText ?? "").split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == what }
    }

    func leadList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let (catalog, fields) = try await catalogs()
        let conditions = try AmoCRMFilter.leads(query, catalog: catalog)
        let (principal, descending, order) = (self.principal, AmoCRMFilter.descending(query), AmoCRMFilter.order(query))
        let deals = try await store.read { s in
            let scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            let q = OffsetListQuery(
                conditions: conditions, scope: scope, order: order, descending: descending, offset: paging.offset, limit: paging.limit + 1,
                counts: false)
            return try await s.offsetDeals(q).items
        }
        let tags = try await store.read { s in try await s.tags(.deal, of: deals.prefix(paging.limit).map(\.id.rawValue)) }
        let rows = deals.prefix(paging.limit).map {
            AmoCRMLeadMapping.row(
                $0, catalog: catalog, fields: fields, principal: principal, base: base, contacts: with("contacts"), lossReason: with("loss_reason"),
                tags: tags[$0.id.rawValue] ?? [])
        }
        return listReply("leads", path: "/leads", items: Array(rows), paging: paging, more: deals.count > paging.limit)
    }

    /// One lead; one that does not exist or that the caller may not see is amoCRM's 204.
    func leadGet(_ id: Int64) async throws -> JSONValue? {
        let (deal, tags): (Deal, [Tag])
        do {
            (deal, tags) = try await store.read { s in (try await access.deal(DealID(id), in: s), try await s.tags(.deal, of: id)) }
        } catch  where AppError.from(error).map(Self.isNotFound) == true {
            return nil
        }
        let (catalog, fields) = try await catalogs()
        return AmoCRMLeadMapping.row(
            deal, catalog: catalog, fields: fields, principal: principal, base: base, contacts: with("contacts"), lossReason: with("loss_reason"),
            tags: tags)
    }

    static func isNotFound(_ error: AppError) -> Bool {
        if case .notFound = error { return true }
        return false
    }

    /// `POST /leads`: a lead in `pipeline_id` (else the main pipeline) at `status_id` (else its first stage). A lead
    /// without a name is called "Lead", as amoCRM names one.
    func leadCreate(_ body: JSONValue) async throws -> JSONValue {
        let items = try Self.items(body)
        let (catalog, fields) = try await catalogs()
        let (deals, principal, now) = (services.deals, self.principal, services.clock.now())
        var planned: [(String, PipelineKey, StageKey?, DealInput, AmoCRMTags.Change)] = []
        for (index, item) in items.enumerated() {
            let requestID = Self.requestID(item, index: index)
            try await forItem(requestID) {
                var sent = try AmoCRMLeadMapping.sent(item, fields: fields, current: nil)
                if sent.input.title == nil { sent.input.title = russian ? "Сделка" : "Lead" }
                guard var entry = sent.pipelineID.map({ catalog.entry(id: $0) }) ?? catalog.entries.first else {
                    throw AmoCRMError.invalid("No pipeline \(sent.pipelineID ?? 0)", path: "pipeline_id")
                }
                var stage: StageKey?
                if let statusID = sent.statusID {
                    guard
                        let (e, s) = catalog.resolve(statusID: statusID, within: sent.pipelineID == nil ? nil : entry, lossReason: sent.lossReasonID)
                    else {
                        throw AmoCRMError.invalid("No status \(statusID)", path: "status_id")
                    }
                    entry = e
                    stage = s.key
                }
                planned.append((requestID, entry.pipeline.key, stage, sent.input, sent.tags))
            }
        }
        let plan = planned
        let created = try await store.write { s in
            var out: [(String, Deal)] = []
            for (requestID, pipeline, stage, input, tags) in plan {
                let deal = try await forItem(requestID) {
                    let deal = try await deals.create(
                        in: s, pipeline: pipeline, stage: stage, input: input, actor: principal.actor, principal: principal, now: now)
                    try await AmoCRMTags.apply(tags, kind: .deal, id: deal.id.rawValue, s, now: now, actor: principal.actor)
                    return deal
                }
                out.append((requestID, deal))
            }
            return out
        }
        return savedReply("leads", created.map { requestID, deal in Self.savedRow(deal.id.rawValue, requestID: requestID, base: base + "/leads") })
    }

    /// `PATCH /leads` (a list, each with its `id`) or `PATCH /leads/{id}` (one object): attributes, and a move when
    /// `status_id` names another stage of the lead's pipeline (a won or lost status closes it).
    func leadUpdate(_ body: JSONValue, id pathID: Int64?) async throws -> JSONValue {
        if pathID != nil, case .array = body { throw AmoCRMError.invalid("PATCH /leads/{id} takes one object") }
        let items = try Self.items(body)
        let (catalog, fields) = try await catalogs()
        let (deals, principal, now, access) = (services.deals, self.principal, services.clock.now(), self.access)
        let updated = try await store.write { s in
            var out: [(String, Deal)] = []
            for (index, item) in items.enumerated() {
                let requestID = Self.requestID(item, index: index)
                let deal = try await forItem(requestID) {
                    guard let id = try pathID ?? AmoCRMLeadMapping.integer(item, "id") else {
                        throw AmoCRMError.invalid("id is required", path: "id")
                    }
                    let current = try await access.deal(DealID(id), in: s, forUpdate: true)
                    let sent = try AmoCRMLeadMapping.sent(item, fields: fields, current: current)
                    let entry = catalog.entry(of: current.pipeline)
                    if let p = sent.pipelineID, p != entry?.id { throw AppError.refused([DealService.crossPipeline(field: "pipeline_id")]) }
                    var target: StageKey?
                    if let statusID = sent.statusID {
                        // A lost lead sent as 143 without a reason stays where it is.
                        let reason = sent.lossReasonID ?? (current.status == .lost ? AmoCRMCatalog.lossReasonID(current.stage) : nil)
                        guard let (_, stage) = catalog.resolve(statusID: statusID, within: entry, lossReason: reason) else {
                            throw AmoCRMError.invalid("No status \(statusID) in the lead's pipeline", path: "status_id")
                        }
                        if stage.key != current.stage { target = stage.key }
                    }
                    let deal: Deal
                    if let target {
                        deal = try await deals.move(
                            in: s, current.id, to: target, input: sent.input, lossComment: sent.lossComment, actor: principal.actor,
                            principal: principal, now: now)
                    } else {
                        deal = try await deals.update(in: s, current.id, input: sent.input, actor: principal.actor, principal: principal, now: now)
                    }
                    if !sent.tags.isEmpty {
                        guard principal.edits(deal) || principal.edits(current) else {
                            throw AppError.forbidden(ru: "Эту сделку можно смотреть, но не менять", en: "You may read this deal but not change it")
                        }
                        try await AmoCRMTags.apply(sent.tags, kind: .deal, id: deal.id.rawValue, s, now: now, actor: principal.actor)
                    }
                    return deal
                }
                out.append((requestID, deal))
            }
            return out
        }
        let rows = updated.map { requestID, deal in
            Self.savedRow(deal.id.rawValue, requestID: requestID, base: base + "/leads", updatedAt: deal.updatedAt)
        }
        return pathID == nil ? savedReply("leads", rows) : rows[0]
    }

    /// `{id, request_id, updated_at, _links}` of a saved record, with `extra` members.
    static func savedRow(_ id: Int64, requestID: String, base: String, updatedAt: Timestamp? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
        var row: [String: JSONValue] = ["id": .number(Double(id)), "request_id": .string(requestID), "_links": selfLink("\(base)/\(id)")]
        row.merge(extra) { $1 }
        if let updatedAt { row["updated_at"] = seconds(updatedAt) }
        return .object(row)
    }
}

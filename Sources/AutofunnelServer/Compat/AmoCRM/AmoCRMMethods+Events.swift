import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/events` (only `lead_status_changed`, from the stage log) and `/companies`: what a live import reads, so that
/// one Autofunnel can import another through this dialect.
extension AmoCRMMethods {
    /// The most events on one page, as amoCRM serves them.
    static let eventPageLimit = 100

    /// The stage changes the caller may see, oldest first, as amoCRM's `lead_status_changed` events: `value_before`
    /// and `value_after` name the statuses (`AmoCRMCatalog`), `created_by` the user behind the move (0 for
    /// automation and imports). A deal's creation is no status change and is not listed; `filter[type]` naming other
    /// types only gives an empty list.
    func eventList() async throws -> JSONValue {
        var paging = try AmoCRMPaging(query)
        paging.limit = min(paging.limit, Self.eventPageLimit)
        let types = Self.listFilter(query["filter"]?[lenient: "type"])
        let entities = Self.listFilter(query["filter"]?[lenient: "entity"])
        guard (types.isEmpty || types.contains("lead_status_changed")) && (entities.isEmpty || entities.contains("lead")) else {
            return listReply("events", path: "/events", items: [], paging: paging, more: false)
        }
        let (principal, limit, offset) = (self.principal, paging.limit, paging.offset)
        let (rows, deals, catalog) = try await store.read { s in
            let rows = try await s.stageLogMoves(offset: offset, limit: limit + 1)
            let deals = try await s.deals(ids: Array(Set(rows.prefix(limit).map(\.deal))))
            return (rows, deals, AmoCRMCatalog(pipelines: try await s.pipelines()))
        }
        let items = rows.prefix(limit).compactMap { row -> JSONValue? in
            guard principal.seesPipeline(row.pipeline), let deal = deals[row.deal], principal.sees(deal), let entry = catalog.entry(of: row.pipeline),
                let from = row.from.flatMap({ entry.pipeline.stage($0) }), let to = entry.pipeline.stage(row.to)
            else { return nil }
            return eventRow(
                row, pipelineID: entry.id, from: AmoCRMCatalog.statusID(from, in: entry.pipeline), to: AmoCRMCatalog.statusID(to, in: entry.pipeline))
        }
        return listReply("events", path: "/events", items: items, paging: paging, more: rows.count > limit)
    }

    /// One stage-log row as an event; its id is the row's place in the log.
    func eventRow(_ row: StageLogEntry, pipelineID: Int64, from: Int64, to: Int64) -> JSONValue {
        func status(_ id: Int64) -> JSONValue {
            .array([.object(["lead_status": .object(["id": .number(Double(id)), "pipeline_id": .number(Double(pipelineID))])])])
        }
        return .object([
            "id": .string(String(row.seq)), "type": .string("lead_status_changed"), "entity_id": .number(Double(row.deal.rawValue)),
            "entity_type": .string("lead"), "created_by": .number(Double(row.actor.userID?.rawValue ?? 0)), "created_at": Self.seconds(row.at),
            "account_id": .number(Double(Self.accountID)), "value_before": status(from), "value_after": status(to),
            "_links": Self.selfLink("\(base)/events/\(row.seq)"),
            "_embedded": .object([
                "entity": .object(["id": .number(Double(row.deal.rawValue)), "_links": Self.selfLink("\(base)/leads/\(row.deal)")])
            ]),
        ])
    }

    /// The values of a filter sent as one value, a comma-joined list (as amoCRM's SDK sends lists) or an array.
    static func listFilter(_ value: JSONValue?) -> Set<String> {
        Set(
            (value?.lenientItems ?? []).compactMap(\.lenientText).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        )
    }

    /// Every live company, by id.
    func companyList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let (limit, offset) = (paging.limit, paging.offset)
        let companies = try await store.read { s in try await s.companies(offset: offset, limit: limit + 1) }
        let rows = companies.prefix(limit).map { c -> JSONValue in
            .object([
                "id": .number(Double(c.id.rawValue)), "name": .string(c.name), "responsible_user_id": .null, "group_id": .number(0),
                "created_by": .number(0), "updated_by": .number(0), "created_at": Self.seconds(c.createdAt), "updated_at": Self.seconds(c.updatedAt),
                "closest_task_at": .null, "is_deleted": .bool(false), "custom_fields_values": .null, "account_id": .number(Double(Self.accountID)),
                "_links": Self.selfLink("\(base)/companies/\(c.id)"), "_embedded": .object(["tags": .array([])]),
            ])
        }
        return listReply("companies", path: "/companies", items: Array(rows), paging: paging, more: companies.count > limit)
    }
}

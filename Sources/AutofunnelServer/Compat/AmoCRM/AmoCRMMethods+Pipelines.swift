import AutofunnelCore
import AutofunnelEngine

/// `/leads/pipelines[/{id}[/statuses[/{id}]]]`, `/leads/loss_reasons` and `/{leads,contacts}/custom_fields`.
extension AmoCRMMethods {
    /// The pipelines the caller may see.
    func visiblePipelines() async throws -> [AmoCRMCatalog.Entry] {
        try await catalogs().0.entries.filter { principal.seesPipeline($0.pipeline.key) }
    }

    func pipelines(_ rest: [String]) async throws -> JSONValue? {
        let entries = try await visiblePipelines()
        guard let first = rest.first else {
            let rows = entries.map { AmoCRMCatalog.pipeline($0, russian: russian, base: base) }
            return .object([
                "_total_items": .number(Double(rows.count)), "_links": Self.selfLink(base + "/leads/pipelines"),
                "_embedded": .object(["pipelines": .array(rows)]),
            ])
        }
        guard let entry = entries.first(where: { String($0.id) == first }) else { throw AmoCRMError.notFound("No pipeline \(first)") }
        let pipeline = AmoCRMCatalog.pipeline(entry, russian: russian, base: base)
        switch rest.count {
        case 1: return pipeline
        case 2 where rest[1] == "statuses":
            return .object([
                "_total_items": .number(Double(AmoCRMCatalog.statusStages(entry.pipeline).count)),
                "_links": Self.selfLink("\(base)/leads/pipelines/\(entry.id)/statuses"),
                "_embedded": .object(["statuses": pipeline[lenient: "_embedded"]?[lenient: "statuses"] ?? .array([])]),
            ])
        case 3 where rest[1] == "statuses":
            let statuses = pipeline[lenient: "_embedded"]?[lenient: "statuses"]?.lenientItems ?? []
            guard let status = statuses.first(where: { $0[lenient: "id"]?.lenientText == rest[2] }) else {
                throw AmoCRMError.notFound("No status \(rest[2])")
            }
            return status
        default: throw AmoCRMError.notFound("No such resource")
        }
    }

    /// Every lost stage as a loss reason (one per stage key).
    func lossReasons() async throws -> JSONValue {
        let reasons = try await catalogs().0.lossReasons.enumerated().map { index, stage -> JSONValue in
            let id = AmoCRMCatalog.lossReasonID(stage.key)
            return .object([
                "id": .number(Double(id)), "name": .string(russian ? stage.name.ru : stage.name.en), "sort": .number(Double((index + 1) * 10)),
                "created_at": .number(0), "updated_at": .number(0), "_links": Self.selfLink("\(base)/leads/loss_reasons/\(id)"),
            ])
        }
        return .object([
            "_total_items": .number(Double(reasons.count)), "_page": .number(1), "_links": Self.selfLink(base + "/leads/loss_reasons"),
            "_embedded": .object(["loss_reasons": .array(reasons)]),
        ])
    }

    /// The custom fields the caller may see, in one page (there are never more than a few dozen); a contact's list
    /// starts with the predefined `PHONE` and `EMAIL`.
    func customFields(_ entity: FieldEntity, plural: String) async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        let view = FieldView(principal, catalog: catalog)
        var rows: [JSONValue] = []
        if entity == .contact {
            let predefined = [
                (AmoCRMFields.phoneID, russian ? "Телефон" : "Phone", "PHONE", "phones"),
                (AmoCRMFields.emailID, "Email", "EMAIL", "emails"),
            ]
            for (id, name, code, ours) in predefined where view.shows(.contact, ours) {
                let enums: JSONValue = .array(
                    ["WORK", "MOB", "HOME", "OTHER"].enumerated().map { i, c in
                        .object([
                            "id": .number(Double(AmoCRMFields.enumID(.contact, FieldKey(code.lowercased()), c))), "value": .string(c),
                            "sort": .number(Double(i * 2 + 2)),
                        ])
                    })
                rows.append(
                    AmoCRMFields.field(
                        id: id, name: name, type: "multitext", code: code, sort: rows.count * 10 + 4, enums: enums, predefined: true, base: base,
                        plural: plural))
            }
        }
        for d in catalog.all(entity) where view.shows(entity, d.key.rawValue) {
            rows.append(AmoCRMFields.describe(d, sort: 100 + rows.count * 10, russian: russian, base: base, plural: plural))
        }
        let page = Array(rows.dropFirst(paging.offset).prefix(paging.limit))
        return listReply(
            "custom_fields", path: "/\(plural)/custom_fields", items: page, paging: paging, more: rows.count > paging.offset + paging.limit)
    }
}

import AutofunnelCore
import AutofunnelEngine

/// `crm.category.list`, `crm.dealcategory.list`, `crm.status.list`, `crm.dealcategory.stage.list`: pipelines and stages.
extension Bitrix24Methods {
    /// The categories the caller may see.
    func visibleCategories() async throws -> [Bitrix24Catalog.Category] {
        try await catalogs().0.categories.filter { principal.seesPipeline($0.pipeline.key) }
    }

    func name(_ pipeline: Pipeline) -> String { russian ? pipeline.name.ru : pipeline.name.en }

    func categoryList(_ p: JSONValue) async throws -> Bitrix24Reply {
        if let type = p[lenient: "entityTypeId"]?.lenientInt, type != 2 {
            return Bitrix24Reply(result: .object(["categories": .array([])]), total: 0)
        }
        let rows = try await visibleCategories().map { c -> JSONValue in
            .object([
                "id": .number(Double(c.id)), "name": .string(name(c.pipeline)), "sort": .number(Double(c.sort)), "entityTypeId": .number(2),
                "isDefault": .string(c.isDefault ? "Y" : "N"),
            ])
        }
        return Bitrix24Reply(result: .object(["categories": .array(rows)]), total: rows.count)
    }

    func dealCategoryList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let rows = try await visibleCategories().filter { !$0.isDefault }.map { c -> JSONValue in
            .object([
                "ID": .string(String(c.id)), "NAME": .string(name(c.pipeline)), "SORT": .string(String(c.sort)), "IS_LOCKED": .string("N"),
                "CREATED_DATE": .string(""),
            ])
        }
        let (offset, counts) = Self.start(p)
        return Self.page(Array(rows.dropFirst(offset).prefix(Self.pageSize)), offset: offset, total: counts ? rows.count : nil)
    }

    /// Stages of every visible category, narrowed by `filter[ENTITY_ID]` (`DEAL_STAGE`, `DEAL_STAGE_{id}`) or
    /// `filter[CATEGORY_ID]`; statuses of other entities (sources, contact types) do not exist here.
    func statusList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let filter = p[lenient: "filter"] ?? .null
        let entity = filter[lenient: "ENTITY_ID"]?.lenientText?.uppercased()
        let categoryID = filter[lenient: "CATEGORY_ID"]?.lenientInt
        let rows = try await visibleCategories().flatMap { c -> [JSONValue] in
            if let entity, entity != Bitrix24Catalog.entityID(c) { return [] }
            if let categoryID, categoryID != c.id { return [] }
            return c.pipeline.stages.enumerated().map { Bitrix24Catalog.statusRow($1, index: $0, in: c, russian: russian) }
        }
        let (offset, counts) = Self.start(p)
        return Self.page(rows, offset: offset, total: counts ? rows.count : nil)
    }

    func dealCategoryStages(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = p[lenient: "id"]?.lenientInt ?? 0
        guard let category = try await visibleCategories().first(where: { $0.id == id }) else { throw Bitrix24Error.notFound }
        let rows = category.pipeline.stages.enumerated().map { index, stage -> JSONValue in
            .object([
                "NAME": .string(russian ? stage.name.ru : stage.name.en), "SORT": .string(String((index + 1) * 10)),
                "STATUS_ID": .string(Bitrix24Catalog.stageID(stage, in: category)),
            ])
        }
        return Bitrix24Reply(result: .array(rows), total: rows.count)
    }
}

import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Every pipeline, in the order they were created.
    public func pipelines() async throws -> [Pipeline] {
        let catalog = try await fieldCatalog()
        return try await db.select().columns("definition").from("pipelines").orderBy("position").orderBy("key").all()
            .map { try Self.pipeline(from: try $0.decode(column: "definition", as: String.self), catalog: catalog) }
    }

    /// The pipeline with this key, or nil; pass `catalog` when the caller has already read it.
    public func pipeline(_ key: PipelineKey, catalog: FieldCatalog? = nil) async throws -> Pipeline? {
        guard let row = try await db.select().column("definition").from("pipelines").where("key", .equal, key.rawValue).first() else { return nil }
        let fields: FieldCatalog = if let catalog { catalog } else { try await fieldCatalog() }
        return try Self.pipeline(from: try row.decode(column: "definition", as: String.self), catalog: fields)
    }

    /// The pipeline with this key; `notFound` if there is none.
    public func requirePipeline(_ key: PipelineKey, catalog: FieldCatalog? = nil) async throws -> Pipeline {
        guard let p = try await pipeline(key, catalog: catalog) else { throw StoreError.notFound(entity: "pipeline", id: key.rawValue) }
        return p
    }

    /// Creates or replaces a pipeline's stored definition and upserts the fields it declares.
    public func savePipeline(_ pipeline: Pipeline, at: Timestamp) async throws {
        for field in pipeline.declaredFields { try await saveField(field, declaredBy: pipeline.key, at: at) }
        let text = JSONText.encode(pipeline.definition)
        if let row = try await db.select().column("version").from("pipelines").where("key", .equal, pipeline.key.rawValue).first() {
            let version = try row.decode(column: "version", as: Int64.self)
            try await db.update("pipelines").set("definition", to: text).set("name_ru", to: pipeline.name.ru).set("name_en", to: pipeline.name.en)
                .set("version", to: version + 1).set("updated_at", to: at.millis).where("key", .equal, pipeline.key.rawValue).run()
        } else {
            let position =
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("pipelines").first()?
                .decode(column: "n", as: Int64.self) ?? 0
            try await db.insert(into: "pipelines").columns(
                "key", "name_ru", "name_en", "definition", "position", "version", "created_at", "updated_at"
            )
            .values(
                SQLBind(pipeline.key.rawValue), SQLBind(pipeline.name.ru), SQLBind(pipeline.name.en), SQLBind(text), SQLBind(position),
                SQLBind(Int64(1)), SQLBind(at.millis), SQLBind(at.millis)
            ).run()
        }
        let keys = pipeline.stages.map(\.key)
        let assigned = try await Self.assignStageBits(keys, pipeline: pipeline.key, current: Set(keys), db)
        // Not inside assignStageBits: the migration that introduces the masks recomputes them all from the log.
        try await Self.markEntered(assigned, pipeline: pipeline.key, db)
    }

    /// Deletes a pipeline that has no deals.
    public func deletePipeline(_ key: PipelineKey) async throws {
        _ = try await requirePipeline(key)
        let counts =
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("deals").where(
                "pipeline_key", .equal, key.rawValue
            )
            .first()?.decode(column: "n", as: Int64.self) ?? 0
        if counts > 0 { throw StoreError.conflict("pipeline \(key) has \(counts) deals; it cannot be deleted") }
        try await db.delete(from: "pipelines").where("key", .equal, key.rawValue).run()
        try await db.delete(from: "stage_bits").where("pipeline_key", .equal, key.rawValue).run()
        try await db.update("fields").set("declared_by", to: SQLLiteral.null).where("declared_by", .equal, key.rawValue).run()
    }

    static func pipeline(from text: String, catalog: FieldCatalog) throws -> Pipeline {
        let definition = try JSONText.decode(PipelineDefinition.self, text)
        switch definition.validated(knownFields: catalog) {
        case .success(var p):
            // Fields changed through the fields API since the definition was applied show as they are now.
            p.declaredFields = p.declaredFields.compactMap { f in
                catalog.owner(f.entity, f.key) == p.key ? catalog.definition(f.entity, f.key) : nil
            }
            return p
        case .failure(let refusal): throw StoreError.corrupt("stored pipeline \(definition.key): \(refusal.violations.map(\.message.en))")
        }
    }
}

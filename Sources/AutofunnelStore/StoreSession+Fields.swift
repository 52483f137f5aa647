import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Every custom field with the pipeline that declared it.
    public func fieldCatalog() async throws -> FieldCatalog {
        let rows = try await db.select().columns("definition", "declared_by").from("fields").orderBy("entity").orderBy("key").all()
        var fields: [FieldDefinition] = []
        var owners: [String: PipelineKey] = [:]
        for row in rows {
            let f = try JSONText.decode(FieldDefinition.self, try row.decode(column: "definition", as: String.self))
            fields.append(f)
            if let owner = try row.decode(column: "declared_by", as: String?.self) { owners["\(f.entity.rawValue).\(f.key)"] = PipelineKey(owner) }
        }
        return FieldCatalog(fields, declaredBy: owners)
    }

    /// The field, or `notFound`.
    public func field(_ entity: FieldEntity, _ key: FieldKey) async throws -> FieldDefinition {
        guard let f = try await fieldCatalog().definition(entity, key) else {
            throw StoreError.notFound(entity: "field", id: "\(entity.rawValue).\(key)")
        }
        return f
    }

    /// Creates or replaces a field definition.
    public func saveField(_ field: FieldDefinition, declaredBy: PipelineKey?, at: Timestamp) async throws {
        let text = JSONText.encode(field)
        let exists = try await db.select().column("key").from("fields").where("entity", .equal, field.entity.rawValue).where(
            "key", .equal, field.key.rawValue
        ).first()
        if exists != nil {
            let update = db.update("fields").set("definition", to: text)
            if let declaredBy { update.set("declared_by", to: declaredBy.rawValue) }
            try await update.where("entity", .equal, field.entity.rawValue).where("key", .equal, field.key.rawValue).run()
        } else {
            try await db.insert(into: "fields").columns("entity", "key", "definition", "declared_by", "created_at")
                .values(SQLBind(field.entity.rawValue), SQLBind(field.key.rawValue), SQLBind(text), SQLBind(declaredBy?.rawValue), SQLBind(at.millis))
                .run()
        }
    }

    /// Deletes a field definition. Stored values stay in records' JSON but are no longer shown or validated.
    public func deleteField(_ entity: FieldEntity, _ key: FieldKey) async throws {
        _ = try await field(entity, key)
        try await db.delete(from: "fields").where("entity", .equal, entity.rawValue).where("key", .equal, key.rawValue).run()
    }
}

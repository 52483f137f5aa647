import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

extension APIHandler {
    func listFields(_ input: Operations.listFields.Input) async throws -> Operations.listFields.Output {
        _ = try principal()
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        let entities = input.query.entity.map { [FieldEntity(rawValue: $0.rawValue)!] } ?? FieldEntity.allCases
        let items = try entities.flatMap { e in try catalog.all(e).map { try SchemaMapping.field($0, owner: catalog.owner(e, $0.key)) } }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func createField(_ input: Operations.createField.Input) async throws -> Operations.createField.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let field = FieldDefinition(
            entity: FieldEntity(rawValue: b.entity.rawValue)!, key: FieldKey(b.key), type: FieldType(rawValue: b._type.rawValue)!,
            name: .init(ru: b.name.ru, en: b.name.en), options: b.options?.map { .init(key: $0.key, name: .init(ru: $0.name.ru, en: $0.name.en)) },
            access: SchemaMapping.accessMap(b.access))
        let problems = field.problems(path: "")
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let now = services.clock.now()
        try await store.write { s in
            if try await s.fieldCatalog().definition(field.entity, field.key) != nil {
                throw AppError.conflict("The \(field.entity.rawValue) field '\(field.key)' exists")
            }
            try await s.saveField(field, declaredBy: nil, at: now)
        }
        return .created(.init(body: .json(try SchemaMapping.field(field, owner: nil))))
    }

    func getField(_ input: Operations.getField.Input) async throws -> Operations.getField.Output {
        _ = try principal()
        let (entity, key) = try Self.fieldPath(input.path.entity, input.path.key)
        let (field, owner) = try await store.read { s in (try await s.field(entity, key), try await s.fieldCatalog().owner(entity, key)) }
        return .ok(.init(body: .json(try SchemaMapping.field(field, owner: owner))))
    }

    func updateField(_ input: Operations.updateField.Input) async throws -> Operations.updateField.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let (entity, key) = try Self.fieldPath(input.path.entity, input.path.key)
        let now = services.clock.now()
        let (field, owner) = try await store.write { s in
            var field = try await s.field(entity, key)
            if let name = b.name { field.name = .init(ru: name.ru, en: name.en) }
            if let access = b.access { field.access = SchemaMapping.accessMap(access) }
            if let options = b.options { field.options = options.map { .init(key: $0.key, name: .init(ru: $0.name.ru, en: $0.name.en)) } }
            let problems = field.problems(path: "")
            guard problems.isEmpty else { throw AppError.refused(problems) }
            try await s.saveField(field, declaredBy: nil, at: now)
            return (field, try await s.fieldCatalog().owner(entity, key))
        }
        return .ok(.init(body: .json(try SchemaMapping.field(field, owner: owner))))
    }

    func deleteField(_ input: Operations.deleteField.Input) async throws -> Operations.deleteField.Output {
        _ = try requireAdmin()
        let (entity, key) = try Self.fieldPath(input.path.entity, input.path.key)
        try await store.write { s in try await s.deleteField(entity, key) }
        return .noContent(.init())
    }

    static func fieldPath(_ entity: String, _ key: String) throws -> (FieldEntity, FieldKey) {
        guard let e = FieldEntity(rawValue: entity) else { throw AppError.notFound("No field entity '\(entity)'; use deal, contact or company") }
        return (e, FieldKey(key))
    }
}

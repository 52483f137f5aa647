/// The custom fields known to the account, looked up by entity and key.
public struct FieldCatalog: Hashable, Sendable {
    public private(set) var definitions: [FieldEntity: [FieldKey: FieldDefinition]]
    /// The pipeline whose definition file declares each field, keyed `entity.key`.
    private var owners: [String: PipelineKey]

    public init(_ fields: [FieldDefinition] = [], declaredBy owners: [String: PipelineKey] = [:]) {
        definitions = [:]
        self.owners = owners
        for f in fields { definitions[f.entity, default: [:]][f.key] = f }
    }

    /// This catalog with `fields` added, each replacing a known field of the same entity and key.
    public func adding(_ fields: [FieldDefinition]) -> FieldCatalog {
        FieldCatalog(
            FieldEntity.allCases.flatMap { all($0) }.filter { f in !fields.contains { $0.entity == f.entity && $0.key == f.key } } + fields)
    }

    /// The pipeline that declares a field, if one does.
    public func owner(_ entity: FieldEntity, _ key: FieldKey) -> PipelineKey? { owners["\(entity.rawValue).\(key)"] }

    /// The definition of a field, if it exists.
    public func definition(_ entity: FieldEntity, _ key: FieldKey) -> FieldDefinition? { definitions[entity]?[key] }

    /// All definitions of one entity, ordered by key.
    public func all(_ entity: FieldEntity) -> [FieldDefinition] {
        (definitions[entity] ?? [:]).values.sorted { $0.key < $1.key }
    }

    /// Validates values sent for an entity: unknown keys and bad values are violations; `null` clears a value.
    /// Returns the values in their stored form, `nil` standing for "clear".
    public func validate(_ values: [String: JSONValue], entity: FieldEntity, pathPrefix: String = "fields.") -> Result<
        [FieldKey: JSONValue?], Refusal
    > {
        var out: [FieldKey: JSONValue?] = [:]
        var problems: [Violation] = []
        for (rawKey, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let def = definition(entity, FieldKey(rawKey)) else {
                problems.append(
                    Violation(
                        rule: .unknownField, field: pathPrefix + rawKey,
                        message: .init(
                            ru: "Нет такого поля: \(rawKey)", en: "No such \(entity.rawValue) field: \(rawKey)")))
                continue
            }
            if value == .null {
                out[def.key] = .some(nil)
                continue
            }
            switch def.validate(value, fieldPath: pathPrefix + rawKey) {
            case .success(let stored): out[def.key] = .some(stored)
            case .failure(let v): problems.append(v)
            }
        }
        return problems.isEmpty ? .success(out) : .failure(Refusal(problems))
    }
}

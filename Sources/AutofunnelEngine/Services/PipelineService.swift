import AutofunnelCore
import AutofunnelStore
import Foundation
import Yams

/// Funnel as code: applies and exports pipeline definition files (YAML or JSON) for the API, the CLI and the presets.
public struct PipelineService: Sendable {
    public let store: Store
    public let clock: AppClock
    /// Moves the deals of removed stages: through the one transition path, like every other stage change.
    let deals: DealService

    public init(store: Store, clock: AppClock, deals: DealService) {
        self.store = store
        self.clock = clock
        self.deals = deals
    }

    /// What applying a definition did.
    public struct ApplyResult: Sendable {
        public var pipeline: Pipeline
        public var created: Bool
        /// Deals moved out of removed stages, per removed stage.
        public var remapped: [StageKey: Int]
    }

    /// Reads a definition file: YAML, or JSON (JSON is YAML too, but its errors read better from the JSON decoder).
    public static func parse(_ text: String) throws -> PipelineDefinition {
        let trimmed = text.drop { $0.isWhitespace }
        do {
            if trimmed.first == "{" {
                let decoder = JSONDecoder()
                return try decoder.decode(PipelineDefinition.self, from: Data(text.utf8))
            }
            guard let node = try DefinitionYAML.node(text) else { throw AppError.badRequest("The definition file is empty") }
            return try YAMLDecoder().decode(PipelineDefinition.self, from: node)
        } catch let error as AppError {
            throw error
        } catch let error as DefinitionYAML.TooLarge {
            throw AppError.badRequest("The definition file is refused: \(error)")
        } catch let error as DecodingError {
            throw AppError.badRequest("The definition file does not match the format: \(DecodingErrorText.describe(error))")
        } catch {
            throw AppError.badRequest("The definition file cannot be read: \(error)")
        }
    }

    /// The canonical YAML of a pipeline: what `export` prints and `apply` reads back unchanged.
    public static func yaml(_ pipeline: Pipeline) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.allowUnicode = true
        encoder.options.sortKeys = false
        encoder.options.width = -1
        return plainNumbers(try encoder.encode(pipeline.definition))
    }

    /// Yams writes floats as `6.5e+0`; a definition file says `6.5`. Only unquoted scalars at the end of a line are
    /// floats (a string that looks like one is quoted), so those are rewritten as plain decimals.
    static func plainNumbers(_ yaml: String) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let space = line.lastIndex(of: " ") else { return String(line) }
            let token = line[line.index(after: space)...]
            guard token.contains("e"), token.allSatisfy({ ("0"..."9").contains($0) || "+-.e".contains($0) }), token.first != "e",
                let value = Decimal(string: String(token), locale: Locale(identifier: "en_US_POSIX"))
            else { return String(line) }
            return line[...space] + "\(value)"
        }.joined(separator: "\n")
    }

    /// Creates or replaces a pipeline. Open deals are never lost: a removed stage that holds deals needs a
    /// `stageMapping` entry, or the whole apply is refused naming the stage and its deal count.
    /// With `mustBeNew`, an existing key is a conflict.
    public func apply(_ definition: PipelineDefinition, mustBeNew: Bool = false) async throws -> ApplyResult {
        let now = clock.now()
        return try await store.write { s in
            let catalog = try await s.fieldCatalog()
            let pipeline: Pipeline
            switch definition.validated(knownFields: catalog) {
            case .success(let p): pipeline = p
            case .failure(let refusal): throw AppError.refused(refusal.violations)
            }
            try Self.checkFieldOwnership(pipeline, catalog: catalog)
            let existing = try await s.pipeline(pipeline.key)
            if existing != nil && mustBeNew { throw AppError.conflict("Pipeline '\(pipeline.key)' exists; PUT its definition to change it") }
            var remapped: [StageKey: Int] = [:]
            if let existing {
                let counts = try await s.dealCounts(pipeline: pipeline.key, status: nil)
                let open = try await s.dealCounts(pipeline: pipeline.key, status: .open)
                var problems: [Violation] = []
                for stage in existing.stages where pipeline.stage(stage.key) == nil {
                    let total = counts[stage.key] ?? 0
                    guard total > 0 else { continue }
                    let openCount = open[stage.key] ?? 0
                    if openCount < total {
                        problems.append(
                            .init(
                                rule: .stageHasDeals, field: "stages", stage: stage.key,
                                message: .init(
                                    ru: "Этап «\(stage.name.ru)» нельзя удалить: в нём \(total - openCount) закрытых сделок",
                                    en: "Stage '\(stage.name.en)' cannot be removed: \(total - openCount) closed deals are in it")))
                    } else if definition.stageMapping?[stage.key.rawValue] == nil {
                        problems.append(
                            .init(
                                rule: .stageHasDeals, field: "stageMapping.\(stage.key)", stage: stage.key,
                                message: .init(
                                    ru: "Этап «\(stage.name.ru)» удалён, а в нём \(total) сделок: укажите в stageMapping, куда их перенести",
                                    en: "Stage '\(stage.name.en)' is removed but holds \(total) deals: map it to a stage in stageMapping")))
                    }
                }
                guard problems.isEmpty else { throw AppError.refused(problems) }
                try await s.savePipeline(pipeline, at: now)
                for (old, new) in (definition.stageMapping ?? [:]).sorted(by: { $0.key < $1.key }) where existing.stage(StageKey(old)) != nil {
                    remapped[StageKey(old)] = try await deals.remapDeals(
                        in: s, pipeline: pipeline.key, from: StageKey(old), to: StageKey(new), now: now)
                }
            } else {
                try await s.savePipeline(pipeline, at: now)
            }
            return ApplyResult(pipeline: try await s.requirePipeline(pipeline.key), created: existing == nil, remapped: remapped)
        }
    }

    /// Refuses a definition whose key is not the one its address names.
    public static func checkKey(_ definition: PipelineDefinition, is key: String) throws {
        guard definition.key == key else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "key",
                    message: .init(
                        ru: "Ключ в файле (\(definition.key)) не совпадает с адресом (\(key))",
                        en: "The file's key (\(definition.key)) differs from the URL's (\(key))"))
            ])
        }
    }

    /// Applies a definition file's text.
    public func apply(text: String) async throws -> ApplyResult { try await apply(try Self.parse(text)) }

    /// The canonical YAML of a stored pipeline.
    public func export(_ key: PipelineKey) async throws -> String {
        try Self.yaml(try await store.read { s in try await s.requirePipeline(key) })
    }

    /// A field declared by another pipeline's file cannot be redeclared here: two files would fight over it.
    private static func checkFieldOwnership(_ pipeline: Pipeline, catalog: FieldCatalog) throws {
        let problems = pipeline.declaredFields.compactMap { f -> Violation? in
            guard let owner = catalog.owner(f.entity, f.key), owner != pipeline.key else { return nil }
            return Violation(
                rule: .invalidDefinition, field: "fields.\(f.key)",
                message: .init(
                    ru: "Поле «\(f.key)» уже объявлено воронкой «\(owner)»", en: "Field '\(f.key)' is declared by pipeline '\(owner)'"))
        }
        if !problems.isEmpty { throw AppError.refused(problems) }
    }
}

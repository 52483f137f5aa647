import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

extension APIHandler {
    static func report(_ findings: [LintFinding]) -> Components.Schemas.LintReport {
        let errors = findings.filter { $0.severity == .error }.count
        return .init(
            findings: findings.map { f in
                .init(
                    rule: f.rule, mistake: f.mistake, severity: f.severity == .error ? .error : .warning, location: f.location,
                    message: SchemaMapping.localized(f.message), fix: SchemaMapping.localized(f.fix))
            }, errors: errors, warnings: findings.count - errors)
    }

    func lintPipeline(_ input: Operations.lintPipeline.Input) async throws -> Operations.lintPipeline.Output {
        _ = try requireAdmin()
        let findings = try await services.lint.lint(stored: [PipelineKey(input.path.key)])
        return .ok(.init(body: .json(Self.report(findings))))
    }

    func lintDefinition(_ input: Operations.lintDefinition.Input) async throws -> Operations.lintDefinition.Output {
        _ = try requireAdmin()
        let definition: PipelineDefinition
        switch input.body {
        case .json(let body): definition = try SchemaMapping.definition(body)
        case .yaml(let body): definition = try PipelineService.parse(try await String(collecting: body, upTo: maximumBodySize))
        }
        return .ok(.init(body: .json(Self.report(try await services.lint.lint(definitions: [definition])))))
    }

    func listPresets(_ input: Operations.listPresets.Input) async throws -> Operations.listPresets.Output {
        _ = try principal()
        let items = try Presets.catalogue().map {
            Components.Schemas.Preset(name: $0.name, key: $0.key.rawValue, title: SchemaMapping.localized($0.title))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getPreset(_ input: Operations.getPreset.Input) async throws -> Operations.getPreset.Output {
        _ = try principal()
        return .ok(.init(body: .yaml(HTTPBody(try Presets.text(input.path.name)))))
    }

    func applyPreset(_ input: Operations.applyPreset.Input) async throws -> Operations.applyPreset.Output {
        _ = try requireAdmin()
        let result = try await services.pipelines.apply(text: try Presets.text(input.path.name))
        return .ok(.init(body: .json(try SchemaMapping.definition(result.pipeline))))
    }
}

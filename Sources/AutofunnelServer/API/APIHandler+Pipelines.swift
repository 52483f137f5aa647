import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func listPipelines(_ input: Operations.listPipelines.Input) async throws -> Operations.listPipelines.Output {
        let principal = try principal()
        let items = try await store.read { s in
            var out: [Components.Schemas.PipelineSummary] = []
            for p in try await s.pipelines() where principal.seesPipeline(p.key) {
                let open = try await s.dealCounts(pipeline: p.key, status: .open).values.reduce(0, +)
                out.append(.init(key: p.key.rawValue, name: .init(ru: p.name.ru, en: p.name.en), stageCount: p.stages.count, openDeals: open))
            }
            return out
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func createPipeline(_ input: Operations.createPipeline.Input) async throws -> Operations.createPipeline.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let result = try await services.pipelines.apply(try SchemaMapping.definition(body), mustBeNew: true)
        return .created(.init(body: .json(try SchemaMapping.definition(result.pipeline))))
    }

    func getPipeline(_ input: Operations.getPipeline.Input) async throws -> Operations.getPipeline.Output {
        let pipeline = try await store.read { s in try await visiblePipeline(input.path.key, in: s) }
        return .ok(.init(body: .json(try SchemaMapping.definition(pipeline))))
    }

    func deletePipeline(_ input: Operations.deletePipeline.Input) async throws -> Operations.deletePipeline.Output {
        _ = try requireAdmin()
        try await store.write { s in try await s.deletePipeline(PipelineKey(input.path.key)) }
        return .noContent(.init())
    }

    func getPipelineDefinition(_ input: Operations.getPipelineDefinition.Input) async throws -> Operations.getPipelineDefinition.Output {
        let pipeline = try await store.read { s in try await visiblePipeline(input.path.key, in: s) }
        let wantsJSON = input.headers.accept.sortedByQuality().first?.contentType == .json
        if wantsJSON { return .ok(.init(body: .json(try SchemaMapping.definition(pipeline)))) }
        return .ok(.init(body: .yaml(HTTPBody(try PipelineService.yaml(pipeline)))))
    }

    func putPipelineDefinition(_ input: Operations.putPipelineDefinition.Input) async throws -> Operations.putPipelineDefinition.Output {
        _ = try requireAdmin()
        let definition: PipelineDefinition
        switch input.body {
        case .json(let body): definition = try SchemaMapping.definition(body)
        case .yaml(let body): definition = try PipelineService.parse(try await String(collecting: body, upTo: maximumBodySize))
        }
        try PipelineService.checkKey(definition, is: input.path.key)
        let result = try await services.pipelines.apply(definition)
        return .ok(.init(body: .json(try SchemaMapping.definition(result.pipeline))))
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension APIHandler {
    func captureLead(_ input: Operations.captureLead.Input) async throws -> Operations.captureLead.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let captured = try await services.inbound.capture(
            source: input.path.source, secret: input.headers.X_hyphen_Inbound_hyphen_Secret,
            lead: .init(name: b.name, phone: b.phone, email: b.email, title: b.title, comment: b.comment, fields: try SchemaMapping.values(b.fields)))
        let body = Components.Schemas.InboundResult(
            dealId: captured.deal.id.rawValue, contactId: captured.contact.id.rawValue, duplicate: captured.duplicate)
        return captured.duplicate ? .ok(.init(body: .json(body))) : .created(.init(body: .json(body)))
    }

    func listInboundSources(_ input: Operations.listInboundSources.Input) async throws -> Operations.listInboundSources.Output {
        _ = try requireAdmin()
        let items = try await store.read { s in try await s.sources() }
        return .ok(.init(body: .json(.init(items: items.map(SchemaMapping.source)))))
    }

    func createInboundSource(_ input: Operations.createInboundSource.Input) async throws -> Operations.createInboundSource.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let secret = "ais_" + Secrets.base64URL(bytes: 24)
        let now = services.clock.now()
        let source = InboundSource(
            key: b.key, pipeline: PipelineKey(b.pipeline), stage: b.stage.map { StageKey($0) }, secretHash: Secrets.hash(secret),
            responsible: b.responsibleId.map { UserID($0) }, createdAt: now)
        try await store.write { s in
            guard let pipeline = try await s.pipeline(source.pipeline) else { throw DealService.noPipeline(source.pipeline) }
            if let stage = source.stage, pipeline.stage(stage).map({ $0.isClosing }) ?? true {
                throw AppError.refused([
                    .init(rule: .unknownStage, field: "stage", message: .init(ru: "Нет рабочего этапа «\(stage)»", en: "No open stage '\(stage)'"))
                ])
            }
            if let user = source.responsible { _ = try await s.user(user) }
            try await s.insertSource(source)
        }
        return .created(.init(body: .json(.init(source: SchemaMapping.source(source), secret: secret))))
    }

    func deleteInboundSource(_ input: Operations.deleteInboundSource.Input) async throws -> Operations.deleteInboundSource.Output {
        _ = try requireAdmin()
        try await store.write { s in try await s.deleteSource(input.path.key) }
        return .noContent(.init())
    }
}

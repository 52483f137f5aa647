import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func listDeals(_ input: Operations.listDeals.Input) async throws -> Operations.listDeals.Output {
        let q = input.query
        let filter = DealFilter(
            pipeline: q.pipeline.map(PipelineKey.init(rawValue:)), stage: q.stage.map(StageKey.init(rawValue:)),
            status: q.status.flatMap { DealStatus(rawValue: $0.rawValue) }, responsible: q.responsibleId.map(UserID.init(rawValue:)),
            updatedSince: try q.updatedSince.map { try SchemaMapping.timestamp($0, field: "updatedSince") }, tag: try Self.tagKey(q.tag))
        let after = try Cursor.decode(q.cursor)
        let limit = try Cursor.limit(q.limit)
        let principal = try principal()
        if Self.wantsCSV(input.headers.accept, format: q.format) {
            return .ok(.init(body: .csv(CSVDownload.body(exports.deals(filter, reader: principal)))))
        }
        let (page, catalog) = try await store.read { s in
            var scoped = filter
            scoped.scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            return (try await s.deals(scoped, after: after, limit: limit), try await s.fieldCatalog())
        }
        let tags = try await tags(.deal, page.items.map(\.id.rawValue))
        return .ok(
            .init(
                body: .json(
                    .init(items: try page.items.map { try presented($0, catalog: catalog, tags: tags) }, nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func createDeal(_ input: Operations.createDeal.Input) async throws -> Operations.createDeal.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let deal = try await services.deals.create(
            pipeline: PipelineKey(body.pipeline), stage: body.stage.map(StageKey.init(rawValue:)),
            input: DealInput(
                title: body.title, amount: SchemaMapping.amountInput(body.amount), responsible: body.responsibleId.map(UserID.init(rawValue:)),
                headOfSales: body.headOfSalesId.map(UserID.init(rawValue:)), contact: body.contactId.map(ContactID.init(rawValue:)),
                company: body.companyId.map(CompanyID.init(rawValue:)), source: body.source, fields: try SchemaMapping.values(body.fields)),
            actor: actor, principal: try principal())
        return .created(.init(body: .json(try await presented(deal))))
    }

    func getDeal(_ input: Operations.getDeal.Input) async throws -> Operations.getDeal.Output {
        let deal = try await store.read { s in try await visibleDeal(DealID(input.path.id), in: s) }
        return .ok(.init(body: .json(try await presented(deal))))
    }

    func updateDeal(_ input: Operations.updateDeal.Input) async throws -> Operations.updateDeal.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let deal = try await services.deals.update(
            DealID(input.path.id),
            input: DealInput(
                title: body.title, amount: SchemaMapping.amountInput(body.amount), responsible: body.responsibleId.map(UserID.init(rawValue:)),
                headOfSales: body.headOfSalesId.map(UserID.init(rawValue:)), contact: body.contactId.map(ContactID.init(rawValue:)),
                company: body.companyId.map(CompanyID.init(rawValue:)), source: body.source, fields: try SchemaMapping.values(body.fields)),
            actor: actor, principal: try principal())
        return .ok(.init(body: .json(try await presented(deal))))
    }

    func deleteDeal(_ input: Operations.deleteDeal.Input) async throws -> Operations.deleteDeal.Output {
        try await services.deals.delete(DealID(input.path.id), principal: try principal())
        return .noContent(.init())
    }

    func moveDeal(_ input: Operations.moveDeal.Input) async throws -> Operations.moveDeal.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let deal = try await services.deals.move(
            DealID(input.path.id), to: StageKey(body.stage),
            input: DealInput(
                amount: SchemaMapping.amountInput(body.amount), contact: body.contactId.map(ContactID.init(rawValue:)),
                company: body.companyId.map(CompanyID.init(rawValue:)),
                fields: try SchemaMapping.values(body.fields)),
            lossComment: body.lossComment, actor: actor, principal: try principal())
        return .ok(.init(body: .json(try await presented(deal))))
    }

    func closeDeal(_ input: Operations.closeDeal.Input) async throws -> Operations.closeDeal.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let deal = try await services.deals.close(
            DealID(input.path.id), won: body.result == .won, reason: body.reason.map(StageKey.init(rawValue:)), comment: body.comment, actor: actor,
            principal: try principal())
        return .ok(.init(body: .json(try await presented(deal))))
    }

    func reopenDeal(_ input: Operations.reopenDeal.Input) async throws -> Operations.reopenDeal.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let deal = try await services.deals.reopen(
            DealID(input.path.id), reason: body.reason, stage: body.stage.map(StageKey.init(rawValue:)), actor: actor, principal: try principal())
        return .ok(.init(body: .json(try await presented(deal))))
    }

    func copyDealToPipeline(_ input: Operations.copyDealToPipeline.Input) async throws -> Operations.copyDealToPipeline.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let (closed, copy) = try await services.deals.copy(
            DealID(input.path.id), to: PipelineKey(body.pipeline), stage: body.stage.map(StageKey.init(rawValue:)), actor: actor,
            principal: try principal())
        return .created(.init(body: .json(.init(closed: try await presented(closed), copy: try await presented(copy)))))
    }

    func listDealTransitions(_ input: Operations.listDealTransitions.Input) async throws -> Operations.listDealTransitions.Output {
        let log = try await store.read { s in
            _ = try await visibleDeal(DealID(input.path.id), in: s)
            return try await s.stageLog(deal: DealID(input.path.id))
        }
        return .ok(.init(body: .json(.init(items: log.map(SchemaMapping.stageLog)))))
    }

    func listDealTimeline(_ input: Operations.listDealTimeline.Input) async throws -> Operations.listDealTimeline.Output {
        let entries = try await store.read { s in
            let deal = try await visibleDeal(DealID(input.path.id), in: s)
            let (view, snapshot) = (try self.view(try await s.fieldCatalog()), try await s.snapshot(of: deal))
            return try await s.timeline(deal: deal.id).compactMap { view.timeline($0, in: snapshot) }
        }
        return .ok(.init(body: .json(.init(items: entries.map(SchemaMapping.timeline)))))
    }

    func listDealNotes(_ input: Operations.listDealNotes.Input) async throws -> Operations.listDealNotes.Output {
        let id = DealID(input.path.id)
        let notes = try await store.read { s in try await visibleNotes(try await s.notes(deal: id), deal: id, in: s) }
        return .ok(.init(body: .json(.init(items: notes.map(SchemaMapping.note)))))
    }

    /// A deal as the caller may see it, with the field catalog read for it.
    func presented(_ deal: Deal) async throws -> Components.Schemas.Deal {
        let (catalog, tags) = try await store.read { s in (try await s.fieldCatalog(), try await s.tags(.deal, of: [deal.id.rawValue])) }
        return try presented(deal, catalog: catalog, tags: tags)
    }

    func createDealNote(_ input: Operations.createDealNote.Input) async throws -> Operations.createDealNote.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let note = try await services.deals.addNote(deal: DealID(input.path.id), text: body.text, actor: actor, principal: try principal())
        return .created(.init(body: .json(SchemaMapping.note(note))))
    }
}

extension APIHandler {
    func upsertDealByExternalId(_ input: Operations.upsertDealByExternalId.Input) async throws -> Operations.upsertDealByExternalId.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let result = try await services.deals.upsert(
            source: input.path.source, externalID: input.path.externalId, pipeline: body.pipeline.map(PipelineKey.init(rawValue:)),
            stage: body.stage.map(StageKey.init(rawValue:)),
            input: DealInput(
                title: body.title, amount: SchemaMapping.amountInput(body.amount), responsible: body.responsibleId.map(UserID.init(rawValue:)),
                headOfSales: body.headOfSalesId.map(UserID.init(rawValue:)), contact: body.contactId.map(ContactID.init(rawValue:)),
                company: body.companyId.map(CompanyID.init(rawValue:)), source: body.source, fields: try SchemaMapping.values(body.fields)),
            lossComment: body.lossComment, actor: actor, principal: try principal())
        let presented = try await presented(result.deal)
        return result.created ? .created(.init(body: .json(presented))) : .ok(.init(body: .json(presented)))
    }
}

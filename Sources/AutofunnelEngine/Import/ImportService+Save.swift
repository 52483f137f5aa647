import AutofunnelCore
import AutofunnelStore

extension ImportService {
    /// What a batch knows once: the field catalog and the pipelines it met.
    struct BatchContext {
        let catalog: FieldCatalog
        var pipelines: [PipelineKey: Pipeline] = [:]

        mutating func pipeline(_ d: ImportedDeal, _ s: StoreSession) async throws -> Pipeline {
            if let known = pipelines[d.pipeline] { return known }
            guard let pipeline = try await s.pipeline(d.pipeline, catalog: catalog) else {
                throw ImportProblem(row: d.row, column: "pipeline", "No pipeline '\(d.pipeline)'")
            }
            pipelines[d.pipeline] = pipeline
            return pipeline
        }
    }

    /// The row's deal as a command input: its contact and company found or made first.
    func input(_ d: ImportedDeal, source: String, session s: StoreSession) async throws -> DealInput {
        let contact = try await d.contact.asyncMap { try await self.contact($0, source: source, at: d.createdAt, session: s) }
        let company = try await d.company.asyncMap { try await self.company($0, source: source, at: d.createdAt, session: s) }
        return DealInput(
            title: d.title, amount: d.amount.map(Self.amount), responsible: d.responsible, headOfSales: d.headOfSales, contact: contact,
            company: company, source: d.source, fields: d.fields.isEmpty ? nil : d.fields)
    }

    /// When the deal last changed in the source.
    static func settled(_ d: ImportedDeal, moves: [ImportedMove]) -> Timestamp { d.closedAt ?? d.stageEnteredAt ?? moves.last?.at ?? d.createdAt }

    /// Changes a deal an earlier import made: its attributes, then its stage when the source's differs.
    func update(_ id: DealID, with d: ImportedDeal, moves: [ImportedMove], source: String, context: inout BatchContext, session s: StoreSession)
        async throws
    {
        let pipeline = try await context.pipeline(d, s)
        let actor = Actor(kind: .import)
        let current = try await deals.importUpdate(
            in: s, id, input: try await input(d, source: source, session: s), actor: actor, at: max(Self.settled(d, moves: moves), d.createdAt))
        // Tags a run again finds are added to those the deal carries now: a tag put on here since stays.
        if !d.tags.isEmpty { try await s.addTags(d.tags, to: .deal, id: id.rawValue, at: current.updatedAt) }
        if current.stage != d.stage {
            try await deals.importMove(
                in: s, id, to: d.stage, input: DealInput(), lossComment: d.lossComment, actor: actor, pipeline: pipeline,
                at: max(Self.settled(d, moves: moves), current.stageEnteredAt))
        }
    }

    /// A deal new to this database, its history replayed in memory through the one transition path: created where its
    /// first move put it, moved through the rest, given its attributes, then moved to its stage in the file if the
    /// history ends elsewhere. Writes only the contact and company it needs; the caller writes the deal.
    func replay(_ d: ImportedDeal, moves: [ImportedMove], source: String, context: inout BatchContext, session s: StoreSession) async throws
        -> DealReplay
    {
        let pipeline = try await context.pipeline(d, s)
        let catalog = context.catalog
        let input = try await input(d, source: source, session: s)
        let actor = Actor(kind: .import)
        let creation = moves.first { $0.from == nil }
        var first = input
        if let creation {
            if let r = creation.responsible { first.responsible = r }
            if let a = creation.amount { first.amount = Self.amount(a) }
        }
        var r = try await deals.replayCreate(
            in: s, pipeline: pipeline, stage: creation?.to ?? pipeline.firstStage.key, input: first, lineage: d.lineage.map { LineageID($0) },
            actor: Actor(kind: .import, userID: creation?.by), catalog: catalog, at: creation?.at ?? d.createdAt,
            cause: creation?.cause ?? "created")
        for move in moves where move.from != nil {
            var changes = DealInput()
            if let responsible = move.responsible, responsible != r.deal.responsible { changes.responsible = responsible }
            if let a = move.amount, a != r.deal.amount { changes.amount = Self.amount(a) }
            let closing = pipeline.stage(move.to)?.outcome == .lost
            try await deals.replayMove(
                &r, in: s, to: move.to, input: changes, lossComment: closing ? d.lossComment : nil, actor: Actor(kind: .import, userID: move.by),
                pipeline: pipeline, catalog: catalog, at: move.at, cause: move.cause ?? "import")
        }
        try await deals.replayUpdate(&r, in: s, input: input, actor: actor, catalog: catalog, at: max(r.deal.updatedAt, d.createdAt))
        if r.deal.stage != d.stage {
            try await deals.replayMove(
                &r, in: s, to: d.stage, input: DealInput(), lossComment: d.lossComment, actor: actor, pipeline: pipeline, catalog: catalog,
                at: max(Self.settled(d, moves: moves), r.deal.stageEnteredAt))
        }
        return r
    }

    /// Writes the replayed new deals of a batch together: the deals, then their stage-log rows, timeline entries and
    /// external ids.
    static func write(_ fresh: [(externalID: String, replay: DealReplay, tags: [Tag])], source: String, session s: StoreSession) async throws {
        guard !fresh.isEmpty else { return }
        var bits: [PipelineKey: [StageKey: Int64]] = [:]
        for key in Set(fresh.map(\.replay.deal.pipeline)) { bits[key] = try await s.stageBits(key) }
        // The mask the log gives, as `StoreSession.refreshEnteredMasks` would compute it: the bits of the stages the
        // deal's rows in its own pipeline entered.
        let masks = fresh.map { item in
            item.replay.log.reduce(Int64(0)) { mask, e in
                e.pipeline == item.replay.deal.pipeline ? mask | (bits[e.pipeline]?[e.to] ?? 0) : mask
            }
        }
        let stored = try await s.bulkInsertDeals(fresh.map(\.replay.deal), enteredMasks: masks)
        var log: [StageLogEntry] = []
        var timeline: [TimelineEntry] = []
        var links: [(externalID: String, localID: Int64, at: Timestamp)] = []
        for (item, deal) in zip(fresh, stored) {
            let rows = item.replay.stored(as: deal.id)
            log += rows.log
            timeline += rows.timeline
            links.append((item.externalID, deal.id.rawValue, deal.createdAt))
            if !item.tags.isEmpty { try await s.addTags(item.tags, to: .deal, id: deal.id.rawValue, at: deal.createdAt) }
        }
        try await s.appendStageLogRows(log)
        try await s.appendTimeline(timeline)
        try await s.linkExternalIDs(.deal, source: source, links)
    }

    static func amount(_ m: Money) -> DealInput.Amount { DealInput.Amount(value: m.decimalText, currency: m.currency.code) }

    /// The contact of a row: the one an earlier import tied to its id, else one with the same phone or e-mail, else new.
    func contact(_ p: ImportedParty, source: String, at: Timestamp, session s: StoreSession) async throws -> ContactID {
        if let id = p.externalID, let known = try await s.localID(.contact, source: source, externalID: id) { return ContactID(known) }
        var found = try await DuplicateMatcher.contacts(phones: p.phones, emails: p.emails, s).first
        if found == nil {
            found = try await PartyService.saveContact(
                PartyService.ContactInput(name: String(p.name.prefix(300)), phones: p.phones, emails: p.emails), id: nil, s, now: at)
        }
        guard let contact = found else { throw ImportProblem(row: 0, "The contact could not be saved") }
        if let id = p.externalID { try await s.linkExternalID(.contact, source: source, externalID: id, localID: contact.id.rawValue, at: at) }
        return contact.id
    }

    /// The company of a row: tied by its id in the source, else new.
    func company(_ p: ImportedParty, source: String, at: Timestamp, session s: StoreSession) async throws -> CompanyID {
        let key = p.externalID ?? "name:" + p.name.lowercased()
        if let known = try await s.localID(.company, source: source, externalID: key) { return CompanyID(known) }
        let company = try await PartyService.saveCompany(name: String(p.name.prefix(300)), fields: nil, id: nil, s, now: at)
        try await s.linkExternalID(.company, source: source, externalID: key, localID: company.id.rawValue, at: at)
        return company.id
    }
}

import AutofunnelCore
import AutofunnelStore

extension ImportService {
    /// Writes one deal: found by its id in the source and updated, or created and its history replayed. Returns
    /// whether it was created.
    func save(_ d: ImportedDeal, moves: [ImportedMove], source: String, session s: StoreSession) async throws -> Bool {
        let catalog = try await s.fieldCatalog()
        guard let pipeline = try await s.pipeline(d.pipeline, catalog: catalog) else {
            throw ImportProblem(row: d.row, column: "pipeline", "No pipeline '\(d.pipeline)'")
        }
        let contact = try await d.contact.asyncMap { try await self.contact($0, source: source, at: d.createdAt, session: s) }
        let company = try await d.company.asyncMap { try await self.company($0, source: source, at: d.createdAt, session: s) }
        let input = DealInput(
            title: d.title, amount: d.amount.map(Self.amount), responsible: d.responsible, headOfSales: d.headOfSales, contact: contact,
            company: company, source: d.source, fields: d.fields.isEmpty ? nil : d.fields)
        let actor = Actor(kind: .import)
        let settled = d.closedAt ?? d.stageEnteredAt ?? moves.last?.at ?? d.createdAt
        if let known = try await s.localID(.deal, source: source, externalID: d.externalID) {
            let id = DealID(known)
            let current = try await deals.importUpdate(in: s, id, input: input, actor: actor, at: max(settled, d.createdAt))
            if current.stage != d.stage {
                try await deals.importMove(
                    in: s, id, to: d.stage, input: DealInput(), lossComment: d.lossComment, actor: actor, pipeline: pipeline,
                    at: max(settled, current.stageEnteredAt))
            }
            return false
        }
        let creation = moves.first { $0.from == nil }
        let start = creation?.to ?? pipeline.firstStage.key
        var first = input
        if let creation {
            if let r = creation.responsible { first.responsible = r }
            if let a = creation.amount { first.amount = Self.amount(a) }
        }
        var deal = try await deals.importCreate(
            in: s, pipeline: pipeline, stage: start, input: first, lineage: d.lineage.map { LineageID($0) },
            actor: Actor(kind: .import, userID: creation?.by),
            at: creation?.at ?? d.createdAt)
        try await s.linkExternalID(.deal, source: source, externalID: d.externalID, localID: deal.id.rawValue, at: deal.createdAt)
        for move in moves where move.from != nil {
            var changes = DealInput()
            if let r = move.responsible, r != deal.responsible { changes.responsible = r }
            if let a = move.amount, a != deal.amount { changes.amount = Self.amount(a) }
            let closing = pipeline.stage(move.to)?.outcome == .lost
            deal = try await deals.importMove(
                in: s, deal.id, to: move.to, input: changes, lossComment: closing ? d.lossComment : nil, actor: Actor(kind: .import, userID: move.by),
                pipeline: pipeline, at: move.at, cause: move.cause ?? "import")
        }
        deal = try await deals.importUpdate(in: s, deal.id, input: input, actor: actor, at: max(deal.updatedAt, d.createdAt))
        if deal.stage != d.stage {
            try await deals.importMove(
                in: s, deal.id, to: d.stage, input: DealInput(), lossComment: d.lossComment, actor: actor, pipeline: pipeline,
                at: max(settled, deal.stageEnteredAt))
        }
        return true
    }

    static func amount(_ m: Money) -> DealInput.Amount { DealInput.Amount(value: m.decimalText, currency: m.currency.code) }

    /// The contact of a row: the one an earlier import tied to its id, else one with the same phone or e-mail, else new.
    func contact(_ p: ImportedParty, source: String, at: Timestamp, session s: StoreSession) async throws -> ContactID {
        if let id = p.externalID, let known = try await s.localID(.contact, source: source, externalID: id) { return ContactID(known) }
        let phone = p.phones.lazy.compactMap { PhoneNumber.normalize($0) }.first
        let email = p.emails.lazy.compactMap { EmailAddress.normalize($0) }.first
        var found = phone != nil || email != nil ? try await s.contact(phone: phone, email: email) : nil
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

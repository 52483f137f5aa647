import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// Access checks shared by the handlers; the decisions themselves are `Principal`'s.
extension APIHandler {
    /// The signed-in caller; the auth middleware lets no request without one reach a handler but sign-in.
    func principal() throws -> Principal { try Caller.require().principal }

    /// Refuses callers that may not administer (users, grants, definitions, fields, audit).
    func requireAdmin() throws -> Principal {
        let p = try principal()
        guard p.administers else {
            throw AppError.forbidden(ru: "Нужны права администратора", en: "This needs an admin (and a token with the admin scope)")
        }
        return p
    }

    /// What the caller may read and change (the same rules the dialects apply).
    func access() throws -> RecordAccess { RecordAccess(principal: try principal(), store: store) }

    /// Refuses callers whose role or token may not change records.
    func requireWriter() throws -> Principal {
        let access = try access()
        try access.requireWriter()
        return access.principal
    }

    /// A deal the caller may read; one they may not see answers exactly like one that does not exist.
    func visibleDeal(_ id: DealID, in s: StoreSession) async throws -> Deal { try await access().deal(id, in: s) }

    /// A pipeline the caller may see, else 404.
    func visiblePipeline(_ key: String, in s: StoreSession) async throws -> Pipeline {
        guard try principal().seesPipeline(PipelineKey(key)) else { throw AppError.notFound("No pipeline with id \(key)") }
        return try await s.requirePipeline(PipelineKey(key))
    }

    /// What the caller may see of fields; every response's records go through it.
    func view(_ catalog: FieldCatalog) throws -> FieldView { FieldView(try principal(), catalog: catalog) }

    /// The deal as the caller may see it: fields hidden from their role are left out.
    func presented(_ deal: Deal, catalog: FieldCatalog, tags: [Int64: [Tag]]) throws -> Components.Schemas.Deal {
        var d = try SchemaMapping.deal(try view(catalog).deal(deal))
        d.tags = (tags[deal.id.rawValue] ?? []).map(\.name)
        return d
    }

    /// The contact as the caller may see it: no phones or e-mails for roles without contact details.
    func presented(_ contact: Contact, catalog: FieldCatalog, tags: [Int64: [Tag]]) throws -> Components.Schemas.Contact {
        let view = try view(catalog)
        var c = try SchemaMapping.contact(view.contact(contact))
        c.tags = (tags[contact.id.rawValue] ?? []).map(\.name)
        // Left out rather than empty: an empty list would say the contact has none.
        if !view.shows(.contact, "phones") { c.phones = nil }
        if !view.shows(.contact, "emails") { c.emails = nil }
        return c
    }

    /// The company as the caller may see it: hidden custom fields are left out.
    func presented(_ company: Company, catalog: FieldCatalog, tags: [Int64: [Tag]]) throws -> Components.Schemas.Company {
        var c = try SchemaMapping.company(try view(catalog).company(company))
        c.tags = (tags[company.id.rawValue] ?? []).map(\.name)
        return c
    }

    /// The tags of records of one kind, by id, for a response.
    func tags(_ kind: TagKind, _ ids: [Int64]) async throws -> [Int64: [Tag]] {
        try await store.read { s in try await s.tags(kind, of: ids) }
    }

    /// Notes of a deal the caller may read (else 404), their text without the deal's values hidden from the caller.
    func visibleNotes(_ notes: [Note], deal id: DealID, in s: StoreSession) async throws -> [Note] {
        try await access().notes(notes, deal: id, in: s)
    }

    /// Refuses a write of built-in or custom fields the caller's role may only read or not see.
    func requireWritable(_ entity: FieldEntity, builtins: [String], custom: [String: JSONValue]?, catalog: FieldCatalog) throws {
        try access().requireWritable(entity, builtins: builtins, custom: custom, catalog: catalog)
    }
}

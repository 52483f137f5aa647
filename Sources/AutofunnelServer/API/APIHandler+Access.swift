import AutofunnelCore
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

    /// Refuses callers whose role or token may not change records.
    func requireWriter() throws -> Principal {
        let p = try principal()
        guard p.mayWrite else {
            throw AppError.forbidden(ru: "Ваша роль или токен только для чтения", en: "Your role or token is read-only")
        }
        return p
    }

    /// A deal the caller may read; one they may not see answers exactly like one that does not exist.
    func visibleDeal(_ id: DealID, in s: StoreSession) async throws -> Deal {
        let deal = try await s.deal(id)
        guard try principal().sees(deal) else { throw AppError.notFound("No deal with id \(id)") }
        return deal
    }

    /// A pipeline the caller may see, else 404.
    func visiblePipeline(_ key: String, in s: StoreSession) async throws -> Pipeline {
        guard try principal().seesPipeline(PipelineKey(key)) else { throw AppError.notFound("No pipeline with id \(key)") }
        return try await s.requirePipeline(PipelineKey(key))
    }

    /// The deal as the caller may see it: fields hidden from their role are left out.
    func presented(_ deal: Deal, catalog: FieldCatalog) throws -> Components.Schemas.Deal {
        let p = try principal()
        var d = deal
        if p.access(.deal, "headOfSalesId") == .hidden { d.headOfSales = nil }
        d.fields = d.fields.filter { p.access(.deal, $0.key.rawValue, definition: catalog.definition(.deal, $0.key)) != .hidden }
        return try SchemaMapping.deal(d)
    }

    /// The contact as the caller may see it: no phones or e-mails for roles without contact details.
    func presented(_ contact: Contact, catalog: FieldCatalog) throws -> Components.Schemas.Contact {
        let p = try principal()
        var c = try SchemaMapping.contact(contact)
        if p.access(.contact, "phones") == .hidden { c.phones = nil }
        if p.access(.contact, "emails") == .hidden { c.emails = nil }
        let visible = contact.fields.filter { p.access(.contact, $0.key.rawValue, definition: catalog.definition(.contact, $0.key)) != .hidden }
        c.fields = try SchemaMapping.container(visible)
        return c
    }

    /// Refuses a write of built-in or custom fields the caller's role may only read or not see.
    func requireWritable(_ entity: FieldEntity, builtins: [String], custom: [String: JSONValue]?, catalog: FieldCatalog) throws {
        let p = try principal()
        var problems = builtins.filter { p.access(entity, $0) != .write }.map(DealService.forbiddenField)
        for key in (custom ?? [:]).keys.sorted() where p.access(entity, key, definition: catalog.definition(entity, FieldKey(key))) != .write {
            problems.append(DealService.forbiddenField("fields." + key))
        }
        if !problems.isEmpty { throw AppError.forbidden(problems) }
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

extension APIHandler {
    func listContacts(_ input: Operations.listContacts.Input) async throws -> Operations.listContacts.Output {
        let after = try Cursor.decode(input.query.cursor)
        let limit = try Cursor.limit(input.query.limit)
        let principal = try principal()
        if Self.wantsCSV(input.headers.accept, format: input.query.format) {
            return .ok(.init(body: .csv(CSVDownload.body(exports.contacts(matching: input.query.q, reader: principal)))))
        }
        let (page, catalog) = try await store.read { s in
            (
                try await s.contacts(matching: input.query.q, tag: try Self.tagKey(input.query.tag), after: after, limit: limit),
                try await s.fieldCatalog()
            )
        }
        let tags = try await tags(.contact, page.items.map(\.id.rawValue))
        return .ok(
            .init(
                body: .json(
                    .init(items: try page.items.map { try presented($0, catalog: catalog, tags: tags) }, nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func createContact(_ input: Operations.createContact.Input) async throws -> Operations.createContact.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireWriter()
        let fields = try SchemaMapping.values(b.fields)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try requireWritable(.contact, builtins: RecordAccess.contactBuiltins(b.phones, b.emails), custom: fields, catalog: catalog)
        let contact = try await services.parties.createContact(
            .init(name: b.name, phones: b.phones, emails: b.emails, company: b.companyId, fields: fields), refusingDuplicate: b.allowDuplicate != true
        )
        return .created(.init(body: .json(try await presented(contact, catalog: catalog))))
    }

    func getContact(_ input: Operations.getContact.Input) async throws -> Operations.getContact.Output {
        _ = try principal()
        let (contact, catalog) = try await store.read { s in (try await s.contact(resolving: ContactID(input.path.id)), try await s.fieldCatalog()) }
        return .ok(.init(body: .json(try await presented(contact, catalog: catalog))))
    }

    func updateContact(_ input: Operations.updateContact.Input) async throws -> Operations.updateContact.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireWriter()
        let fields = try SchemaMapping.values(b.fields)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try requireWritable(.contact, builtins: RecordAccess.contactBuiltins(b.phones, b.emails), custom: fields, catalog: catalog)
        let contact = try await services.parties.updateContact(
            ContactID(input.path.id), .init(name: b.name, phones: b.phones, emails: b.emails, company: b.companyId, fields: fields))
        return .ok(.init(body: .json(try await presented(contact, catalog: catalog))))
    }

    func deleteContact(_ input: Operations.deleteContact.Input) async throws -> Operations.deleteContact.Output {
        try requireDeleter()
        try await services.parties.delete(.contacts, id: input.path.id)
        return .noContent(.init())
    }

    func listCompanies(_ input: Operations.listCompanies.Input) async throws -> Operations.listCompanies.Output {
        let after = try Cursor.decode(input.query.cursor)
        let limit = try Cursor.limit(input.query.limit)
        let principal = try principal()
        if Self.wantsCSV(input.headers.accept, format: input.query.format) {
            return .ok(.init(body: .csv(CSVDownload.body(exports.companies(reader: principal)))))
        }
        let tag = try Self.tagKey(input.query.tag)
        let (page, catalog) = try await store.read { s in (try await s.companies(tag: tag, after: after, limit: limit), try await s.fieldCatalog()) }
        let tags = try await tags(.company, page.items.map(\.id.rawValue))
        return .ok(
            .init(
                body: .json(
                    .init(items: try page.items.map { try presented($0, catalog: catalog, tags: tags) }, nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func createCompany(_ input: Operations.createCompany.Input) async throws -> Operations.createCompany.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireWriter()
        let fields = try SchemaMapping.values(b.fields)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try requireWritable(.company, builtins: [], custom: fields, catalog: catalog)
        let company = try await services.parties.createCompany(name: b.name, fields: fields, refusingDuplicate: b.allowDuplicate != true)
        return .created(.init(body: .json(try await presented(company, catalog: catalog))))
    }

    func getCompany(_ input: Operations.getCompany.Input) async throws -> Operations.getCompany.Output {
        _ = try principal()
        let (company, catalog) = try await store.read { s in (try await s.company(resolving: CompanyID(input.path.id)), try await s.fieldCatalog()) }
        return .ok(.init(body: .json(try await presented(company, catalog: catalog))))
    }

    func updateCompany(_ input: Operations.updateCompany.Input) async throws -> Operations.updateCompany.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireWriter()
        let fields = try SchemaMapping.values(b.fields)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try requireWritable(.company, builtins: [], custom: fields, catalog: catalog)
        let company = try await services.parties.updateCompany(CompanyID(input.path.id), name: b.name, fields: fields)
        return .ok(.init(body: .json(try await presented(company, catalog: catalog))))
    }

    func deleteCompany(_ input: Operations.deleteCompany.Input) async throws -> Operations.deleteCompany.Output {
        try requireDeleter()
        try await services.parties.delete(.companies, id: input.path.id)
        return .noContent(.init())
    }

    /// A company as the caller may see it, with the field catalog read for it.
    func presented(_ company: Company) async throws -> Components.Schemas.Company {
        try await presented(company, catalog: try await store.read { s in try await s.fieldCatalog() })
    }

    /// A contact as the caller may see it, with its tags.
    func presented(_ contact: Contact, catalog: FieldCatalog) async throws -> Components.Schemas.Contact {
        try presented(contact, catalog: catalog, tags: try await tags(.contact, [contact.id.rawValue]))
    }

    /// A company as the caller may see it, with its tags.
    func presented(_ company: Company, catalog: FieldCatalog) async throws -> Components.Schemas.Company {
        try presented(company, catalog: catalog, tags: try await tags(.company, [company.id.rawValue]))
    }

    /// Deleting contacts and companies: admins and heads of sales.
    func requireDeleter() throws { try access().requirePartyDeleter() }
}

extension APIHandler {
    func upsertContactByExternalId(_ input: Operations.upsertContactByExternalId.Input) async throws
        -> Operations.upsertContactByExternalId.Output
    {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireWriter()
        let fields = try SchemaMapping.values(b.fields)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try requireWritable(.contact, builtins: RecordAccess.contactBuiltins(b.phones, b.emails), custom: fields, catalog: catalog)
        let result = try await services.parties.upsertContact(
            source: input.path.source, externalID: input.path.externalId,
            .init(name: b.name, phones: b.phones, emails: b.emails, company: b.companyId, fields: fields))
        let body = try await presented(result.contact, catalog: catalog)
        return result.created ? .created(.init(body: .json(body))) : .ok(.init(body: .json(body)))
    }
}

extension APIHandler {
    func mergeContacts(_ input: Operations.mergeContacts.Input) async throws -> Operations.mergeContacts.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let picks = try Self.picks(b.fields?.additionalProperties)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try access().requireMerge(.contact, picks: picks, catalog: catalog)
        let kept = try await services.parties.mergeContacts(
            into: ContactID(input.path.id), from: ContactID(b.from), picks: picks, caller: Caller.current)
        return .ok(.init(body: .json(try await presented(kept, catalog: catalog))))
    }

    func mergeCompanies(_ input: Operations.mergeCompanies.Input) async throws -> Operations.mergeCompanies.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let picks = try Self.picks(b.fields?.additionalProperties)
        let catalog = try await store.read { s in try await s.fieldCatalog() }
        try access().requireMerge(.company, picks: picks, catalog: catalog)
        let kept = try await services.parties.mergeCompanies(
            into: CompanyID(input.path.id), from: CompanyID(b.from), picks: picks, caller: Caller.current)
        return .ok(.init(body: .json(try await presented(kept, catalog: catalog))))
    }

    /// The picks of a merge body, at most one per field the catalog could hold.
    static func picks(_ sent: [String: Components.Schemas.MergePick]?) throws -> [String: MergePick] {
        guard (sent?.count ?? 0) <= 300 else { throw AppError.badRequest("Too many fields") }
        return (sent ?? [:]).compactMapValues { MergePick(rawValue: $0.rawValue) }
    }
}

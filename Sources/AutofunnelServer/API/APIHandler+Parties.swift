import AutofunnelCore
import AutofunnelStore
import OpenAPIRuntime

extension APIHandler {
    func listContacts(_ input: Operations.listContacts.Input) async throws -> Operations.listContacts.Output {
        let after = try Cursor.decode(input.query.cursor)
        let limit = try Cursor.limit(input.query.limit)
        let page = try await store.read { s in try await s.contacts(matching: input.query.q, after: after, limit: limit) }
        return .ok(.init(body: .json(.init(items: try page.items.map(SchemaMapping.contact), nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func createContact(_ input: Operations.createContact.Input) async throws -> Operations.createContact.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let contact = try await services.parties.createContact(
            .init(name: b.name, phones: b.phones, emails: b.emails, company: b.companyId, fields: try SchemaMapping.values(b.fields)))
        return .created(.init(body: .json(try SchemaMapping.contact(contact))))
    }

    func getContact(_ input: Operations.getContact.Input) async throws -> Operations.getContact.Output {
        let contact = try await store.read { s in try await s.contact(ContactID(input.path.id)) }
        return .ok(.init(body: .json(try SchemaMapping.contact(contact))))
    }

    func updateContact(_ input: Operations.updateContact.Input) async throws -> Operations.updateContact.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let contact = try await services.parties.updateContact(
            ContactID(input.path.id),
            .init(name: b.name, phones: b.phones, emails: b.emails, company: b.companyId, fields: try SchemaMapping.values(b.fields)))
        return .ok(.init(body: .json(try SchemaMapping.contact(contact))))
    }

    func deleteContact(_ input: Operations.deleteContact.Input) async throws -> Operations.deleteContact.Output {
        try await services.parties.delete(.contacts, id: input.path.id)
        return .noContent(.init())
    }

    func listCompanies(_ input: Operations.listCompanies.Input) async throws -> Operations.listCompanies.Output {
        let after = try Cursor.decode(input.query.cursor)
        let limit = try Cursor.limit(input.query.limit)
        let page = try await store.read { s in try await s.companies(after: after, limit: limit) }
        return .ok(.init(body: .json(.init(items: try page.items.map(SchemaMapping.company), nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func createCompany(_ input: Operations.createCompany.Input) async throws -> Operations.createCompany.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let company = try await services.parties.createCompany(name: b.name, fields: try SchemaMapping.values(b.fields))
        return .created(.init(body: .json(try SchemaMapping.company(company))))
    }

    func getCompany(_ input: Operations.getCompany.Input) async throws -> Operations.getCompany.Output {
        let company = try await store.read { s in try await s.company(CompanyID(input.path.id)) }
        return .ok(.init(body: .json(try SchemaMapping.company(company))))
    }

    func updateCompany(_ input: Operations.updateCompany.Input) async throws -> Operations.updateCompany.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let company = try await services.parties.updateCompany(CompanyID(input.path.id), name: b.name, fields: try SchemaMapping.values(b.fields))
        return .ok(.init(body: .json(try SchemaMapping.company(company))))
    }

    func deleteCompany(_ input: Operations.deleteCompany.Input) async throws -> Operations.deleteCompany.Output {
        try await services.parties.delete(.companies, id: input.path.id)
        return .noContent(.init())
    }

    func listUsers(_ input: Operations.listUsers.Input) async throws -> Operations.listUsers.Output {
        let users = try await store.read { s in try await s.users() }
        return .ok(.init(body: .json(.init(items: users.map(SchemaMapping.user)))))
    }

    func createUser(_ input: Operations.createUser.Input) async throws -> Operations.createUser.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        var problems: [Violation] = []
        let email = EmailAddress.normalize(b.email)
        if email == nil {
            problems.append(.init(rule: .invalidValue, field: "email", message: .init(ru: "Нужен адрес e-mail", en: "Must be an e-mail address")))
        }
        let name = PartyService.checkName(b.name, into: &problems)
        guard problems.isEmpty, let email, let name else { throw AppError.refused(problems) }
        let now = services.clock.now()
        let locale = User.Locale(rawValue: b.locale?.rawValue ?? "ru") ?? .ru
        let user = try await store.write { s in try await s.insertUser(email: email, name: name, locale: locale, at: now) }
        return .created(.init(body: .json(SchemaMapping.user(user))))
    }
}

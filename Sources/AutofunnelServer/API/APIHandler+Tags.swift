import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

/// Tags on deals, contacts and companies, and the tags in use.
extension APIHandler {
    func addDealTags(_ input: Operations.addDealTags.Input) async throws -> Operations.addDealTags.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        return .ok(.init(body: .json(try await addTags(b.tags, to: .deal, id: input.path.id))))
    }

    func removeDealTag(_ input: Operations.removeDealTag.Input) async throws -> Operations.removeDealTag.Output {
        .ok(.init(body: .json(try await removeTag(input.path.tag, from: .deal, id: input.path.id))))
    }

    func addContactTags(_ input: Operations.addContactTags.Input) async throws -> Operations.addContactTags.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        return .ok(.init(body: .json(try await addTags(b.tags, to: .contact, id: input.path.id))))
    }

    func removeContactTag(_ input: Operations.removeContactTag.Input) async throws -> Operations.removeContactTag.Output {
        .ok(.init(body: .json(try await removeTag(input.path.tag, from: .contact, id: input.path.id))))
    }

    func addCompanyTags(_ input: Operations.addCompanyTags.Input) async throws -> Operations.addCompanyTags.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        return .ok(.init(body: .json(try await addTags(b.tags, to: .company, id: input.path.id))))
    }

    func removeCompanyTag(_ input: Operations.removeCompanyTag.Input) async throws -> Operations.removeCompanyTag.Output {
        .ok(.init(body: .json(try await removeTag(input.path.tag, from: .company, id: input.path.id))))
    }

    func listTags(_ input: Operations.listTags.Input) async throws -> Operations.listTags.Output {
        let limit = input.query.limit ?? 50
        // The generated server does not enforce the spec's bounds: they are checked here.
        guard (1...StoreSession.tagsInUseLimit).contains(limit) else {
            throw AppError.invalidParameter(
                "limit", ru: "limit — от 1 до \(StoreSession.tagsInUseLimit)", en: "limit must be 1 to \(StoreSession.tagsInUseLimit)")
        }
        if let prefix = input.query.prefix, prefix.count > Tag.maxLength {
            throw AppError.invalidParameter(
                "prefix", ru: "prefix — до \(Tag.maxLength) символов", en: "prefix is at most \(Tag.maxLength) characters")
        }
        let kinds = input.query.kind.flatMap { TagKind(rawValue: $0.rawValue) }.map { [$0] } ?? TagKind.allCases
        let principal = try principal()
        let used = try await store.read { s in
            let scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            return try await s.tagsInUse(kinds, prefix: input.query.prefix, limit: limit, scope: scope)
        }
        return .ok(.init(body: .json(.init(items: used.map { .init(name: $0.tag.name, count: $0.count) }))))
    }

    private func addTags(_ names: [String], to kind: TagKind, id: Int64) async throws -> Components.Schemas.TagList {
        guard (1...Tag.maxPerRecord).contains(names.count) else {
            throw AppError.invalidParameter("tags", ru: "От 1 до \(Tag.maxPerRecord) тегов", en: "Send 1 to \(Tag.maxPerRecord) tags")
        }
        let after = try await services.tags.add(names, to: kind, ids: [id], principal: try principal())
        return .init(tags: (after[id] ?? []).map(\.name))
    }

    private func removeTag(_ name: String, from kind: TagKind, id: Int64) async throws -> Components.Schemas.TagList {
        let after = try await services.tags.remove([name], from: kind, ids: [id], principal: try principal())
        return .init(tags: (after[id] ?? []).map(\.name))
    }

    /// The key of a `tag` filter, or a 400 naming the parameter.
    static func tagKey(_ text: String?) throws -> String? {
        guard let text else { return nil }
        switch Tag.parse(text) {
        case .success(let tag): return tag.key
        case .failure(let v): throw AppError.invalidParameter("tag", ru: v.message.ru, en: v.message.en)
        }
    }
}

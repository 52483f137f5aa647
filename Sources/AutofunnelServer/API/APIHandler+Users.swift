import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension APIHandler {
    func listUsers(_ input: Operations.listUsers.Input) async throws -> Operations.listUsers.Output {
        _ = try principal()
        let users = try await store.read { s in try await s.users() }
        return .ok(.init(body: .json(.init(items: users.map(SchemaMapping.user)))))
    }

    func getUser(_ input: Operations.getUser.Input) async throws -> Operations.getUser.Output {
        _ = try principal()
        let user = try await store.read { s in try await s.user(UserID(input.path.id)) }
        return .ok(.init(body: .json(SchemaMapping.user(user))))
    }

    func createUser(_ input: Operations.createUser.Input) async throws -> Operations.createUser.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let user = try await services.auth.createUser(
            .init(
                email: b.email, name: b.name, locale: User.Locale(rawValue: b.locale?.rawValue ?? "ru") ?? .ru,
                role: Role(rawValue: b.role.rawValue)!,
                password: b.password),
            by: Caller.current)
        return .created(.init(body: .json(SchemaMapping.user(user))))
    }

    func updateUser(_ input: Operations.updateUser.Input) async throws -> Operations.updateUser.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        var zone: TimeZoneName?? = nil
        if let text = b.timeZone {
            guard text.isEmpty || TimeZoneName(text) != nil else {
                throw AppError.refused([
                    .init(
                        rule: .invalidValue, field: "timeZone",
                        message: .init(ru: "Неизвестный часовой пояс «\(text)»", en: "Unknown time zone '\(text)'"))
                ])
            }
            zone = .some(TimeZoneName(text))
        }
        let changes = UserChanges(
            name: b.name, locale: b.locale.flatMap { User.Locale(rawValue: $0.rawValue) }, role: b.role.flatMap { Role(rawValue: $0.rawValue) },
            active: b.active, timeZone: zone)
        let user = try await services.auth.updateUser(UserID(input.path.id), changes, by: Caller.current)
        return .ok(.init(body: .json(SchemaMapping.user(user))))
    }

    func setUserPassword(_ input: Operations.setUserPassword.Input) async throws -> Operations.setUserPassword.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let p = try principal()
        let target = UserID(input.path.id)
        guard p.administers || p.user.id == target else { throw AppError.forbidden(ru: "Нужны права администратора", en: "This needs an admin") }
        try await services.auth.setPassword(target, new: b.password, current: b.currentPassword, by: Caller.current)
        return .noContent(.init())
    }

    func getUserGrants(_ input: Operations.getUserGrants.Input) async throws -> Operations.getUserGrants.Output {
        _ = try requireAdmin()
        let grants = try await store.read { s in
            _ = try await s.user(UserID(input.path.id))
            return try await s.grants(user: UserID(input.path.id))
        }
        return .ok(.init(body: .json(.init(grants: SchemaMapping.grants(grants)))))
    }

    func putUserGrants(_ input: Operations.putUserGrants.Input) async throws -> Operations.putUserGrants.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        var grants: [PipelineKey: GrantLevel] = [:]
        for g in b.grants {
            if grants[PipelineKey(g.pipeline)] != nil {
                throw AppError.refused([
                    .init(
                        rule: .invalidValue, field: "grants",
                        message: .init(ru: "Воронка \(g.pipeline) повторяется", en: "Pipeline \(g.pipeline) repeats"))
                ])
            }
            grants[PipelineKey(g.pipeline)] = GrantLevel(rawValue: g.level.rawValue)!
        }
        let stored = try await services.auth.setGrants(UserID(input.path.id), grants, by: Caller.current)
        return .ok(.init(body: .json(.init(grants: SchemaMapping.grants(stored)))))
    }

    func listAudit(_ input: Operations.listAudit.Input) async throws -> Operations.listAudit.Output {
        _ = try requireAdmin()
        let before = try Cursor.decode(input.query.cursor)
        let limit = try Cursor.limit(input.query.limit)
        let action = input.query.action.flatMap { AuditEntry.Action(rawValue: $0.rawValue) }
        let page = try await store.read { s in
            try await s.audit(before: before, limit: limit, AuditFilter(action: action, subject: input.query.userId.map { UserID($0) }))
        }
        return .ok(.init(body: .json(.init(items: page.items.map(SchemaMapping.audit), nextCursor: Cursor.encode(page.nextAfter)))))
    }

    func listUserTokens(_ input: Operations.listUserTokens.Input) async throws -> Operations.listUserTokens.Output {
        _ = try requireAdmin()
        let tokens = try await store.read { s in
            _ = try await s.user(UserID(input.path.id))
            return try await s.tokens(user: UserID(input.path.id))
        }
        return .ok(.init(body: .json(.init(items: tokens.map(SchemaMapping.token)))))
    }

    func createPasswordLink(_ input: Operations.createPasswordLink.Input) async throws -> Operations.createPasswordLink.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let secret = try await services.auth.issuePasswordLink(UserID(input.path.id), reset: b.reset ?? false, by: Caller.current)
        let link = try await store.read { s in try await s.passwordLink(hash: Secrets.hash(secret)) }
        guard let link else { throw AppError.notFound("No such link") }
        return .created(.init(body: .json(.init(path: "/welcome?token=\(secret)", expiresAt: SchemaMapping.date(link.expiresAt)))))
    }
}

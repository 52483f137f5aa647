import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension APIHandler {
    func createSession(_ input: Operations.createSession.Input) async throws -> Operations.createSession.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let facts = Caller.facts
        let signed = try await services.auth.signIn(
            email: b.email, password: b.password, ip: facts?.ip ?? "local", userAgent: facts?.userAgent, replacing: facts?.sessionCookie)
        let principal = try await services.auth.principal(signed.user.id, scope: .admin, credential: .session)
        let body = Components.Schemas.Session(
            user: SchemaMapping.user(signed.user), csrfToken: signed.csrfToken, credential: .session, scope: .admin,
            grants: SchemaMapping.grants(principal?.grants ?? [:]))
        facts?.setCookie.set(SessionCookie.set(signed.sessionID, secure: services.auth.config.secureCookies))
        return .ok(.init(body: .json(body)))
    }

    func getSession(_ input: Operations.getSession.Input) async throws -> Operations.getSession.Output {
        let caller = try Caller.require()
        var csrf: String?
        if let hash = caller.sessionHash { csrf = try await store.read { s in try await s.session(idHash: hash)?.csrfToken } }
        let p = caller.principal
        return .ok(
            .init(
                body: .json(
                    .init(
                        user: SchemaMapping.user(p.user), csrfToken: csrf, credential: p.credential == .session ? .session : .token,
                        scope: .init(rawValue: p.scope.rawValue)!, grants: SchemaMapping.grants(p.grants)))))
    }

    func deleteSession(_ input: Operations.deleteSession.Input) async throws -> Operations.deleteSession.Output {
        let caller = try Caller.require()
        guard let hash = caller.sessionHash else {
            throw AppError.conflict("Signed in with an API token: revoke the token instead (DELETE /tokens/{id})")
        }
        try await services.auth.signOut(sessionHash: hash, caller: caller)
        Caller.facts?.setCookie.set(SessionCookie.clear(secure: services.auth.config.secureCookies))
        return .noContent(.init())
    }

    func listTokens(_ input: Operations.listTokens.Input) async throws -> Operations.listTokens.Output {
        let p = try principal()
        let tokens = try await store.read { s in try await s.tokens(user: p.user.id) }
        return .ok(.init(body: .json(.init(items: tokens.map(SchemaMapping.token)))))
    }

    func createToken(_ input: Operations.createToken.Input) async throws -> Operations.createToken.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let p = try principal()
        let scope = TokenScope(rawValue: b.scope.rawValue)!
        if b.days != nil && b.format != .amocrm {
            throw AppError.refused([
                Violation(
                    rule: .invalidValue, field: "days",
                    message: .init(ru: "Срок задаётся только токенам amocrm", en: "Only amocrm tokens take days"))
            ])
        }
        let issued =
            b.format == .amocrm
            ? try await services.auth.createAmoCRMToken(for: p.user.id, name: b.name, scope: scope, days: Int(b.days ?? 365), by: Caller.current)
            : try await services.auth.createToken(for: p.user.id, name: b.name, scope: scope, by: Caller.current)
        return .created(.init(body: .json(.init(token: SchemaMapping.token(issued.token), secret: issued.secret))))
    }

    func revokeToken(_ input: Operations.revokeToken.Input) async throws -> Operations.revokeToken.Output {
        _ = try principal()
        try await services.auth.revokeToken(id: input.path.id, by: Caller.current)
        return .noContent(.init())
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The signed-in user's API tokens: create one (its secret is shown on the answer to the form, once), see when each
/// was last used, revoke one. The same service as the tokens API: the name and scope checks, the hash-only storage
/// and the audit entries are shared.
struct TokensPage {
    struct Row {
        let id: Int64
        let name: String
        let prefix: String
        let scope: String
        let created: String
        let lastUsed: String
        let active: Bool
        let revoked: String
    }
    struct Scope {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Issued {
        let name: String
        let secret: String
    }
    let rows: [Row]
    let scopes: [Scope]
    let issued: Issued?
    /// The name typed into a refused form, shown again.
    let name: String

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/tokens") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            return try await show(viewer, services, renderer)
        }
        router.post("/tokens") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let name = form["name"] ?? ""
            do {
                guard let scope = TokenScope(rawValue: form["scope"] ?? ""), scopes(for: viewer).contains(scope) else {
                    throw AppError.refused([
                        .init(rule: .invalidValue, field: "scope", message: .init(ru: "Выберите права токена", en: "Choose the token's scope"))
                    ])
                }
                let issued = try await services.auth.createToken(for: viewer.user.id, name: name, scope: scope, by: viewer.caller)
                return try await show(viewer, services, renderer, issued: Issued(name: issued.token.name, secret: issued.secret), status: .created)
            } catch AppError.refused(let problems) {
                return try await show(viewer, services, renderer, name: name, status: .unprocessableContent, problems: problems)
            }
        }
        router.post("/tokens/{id}/revoke") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            _ = try await viewer.form(request)
            guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw AppError.notFound("No such token") }
            // The service decides whose token the caller may revoke, as for the API.
            try await services.auth.revokeToken(id: id, by: viewer.caller)
            return Pages.redirect("/tokens")
        }
    }

    /// Scopes a page user may give a token: administration only for those who administer.
    static func scopes(for viewer: WebViewer) -> [TokenScope] { viewer.principal.administers ? [.read, .write, .admin] : [.read, .write] }

    static func show(
        _ viewer: WebViewer, _ services: AppServices, _ renderer: WebRenderer, issued: Issued? = nil, name: String = "",
        status: HTTPResponse.Status = .ok, problems: [Violation] = []
    ) async throws -> Response {
        let tokens = try await services.store.read { s in try await s.tokens(user: viewer.user.id) }
        let labels: [TokenScope: Localized] = [
            .read: .init(ru: "только чтение", en: "read only"), .write: .init(ru: "чтение и изменения", en: "read and write"),
            .admin: .init(ru: "администрирование", en: "administration"),
        ]
        let rows = tokens.map { token in
            Row(
                id: token.id, name: token.name, prefix: token.prefix, scope: labels[token.scope].map(viewer.text) ?? token.scope.rawValue,
                created: viewer.time(token.createdAt), lastUsed: token.lastUsedAt.map(viewer.time) ?? "—", active: token.revokedAt == nil,
                revoked: token.revokedAt.map(viewer.time) ?? "")
        }
        let scopes = scopes(for: viewer).map { scope in
            Scope(value: scope.rawValue, label: labels[scope].map(viewer.text) ?? scope.rawValue, selected: scope == .write)
        }
        let page = TokensPage(rows: rows, scopes: scopes, issued: issued, name: name)
        return renderer.page(
            "tokens", page, title: viewer.ru ? "API-токены" : "API tokens", viewer: viewer, status: status, problems: problems,
            errorsID: "token-errors")
    }
}

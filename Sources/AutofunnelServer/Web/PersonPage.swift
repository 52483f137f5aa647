import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// One user, for admins: change the role, disable or enable, reset the password (a new one-time link, shown once),
/// and the user's API tokens with revoke. Each form posts to `/people/{id}/{verb}`.
struct PersonPage {
    let user: PeoplePage.Row
    let roles: [WebOption]
    let tokens: [TokensPage.Row]
    let link: String?
    let notice: String?

    static let verbs: Set<String> = ["role", "disable", "enable", "reset", "revoke"]

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/people/{id}") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let done = Web.query(request)["done"].flatMap { verbs.contains($0) ? $0 : nil }
            let notice = done.map { _ in viewer.text(.init(ru: "Сохранено", en: "Saved")) }
            return try await show(try userID(context), viewer, services, renderer, notice: notice)
        }
        router.post("/people/{id}/{verb}") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let form = try await viewer.form(request)
            let id = try userID(context)
            let verb = try context.parameters.require("verb")
            guard verbs.contains(verb) else { throw AppError.notFound("No such page") }
            do {
                switch verb {
                case "role":
                    guard let role = Role(rawValue: form["role"] ?? "") else { throw PeoplePage.roleRefusal }
                    _ = try await services.auth.updateUser(id, UserChanges(role: role), by: viewer.caller)
                case "disable", "enable":
                    _ = try await services.auth.updateUser(id, UserChanges(active: verb == "enable"), by: viewer.caller)
                case "reset":
                    let secret = try await services.auth.issuePasswordLink(id, reset: true, by: viewer.caller)
                    return try await show(id, viewer, services, renderer, link: PeoplePage.linkURL(secret, request, services))
                default:
                    let token = try Web.integer(form["token"], "token", in: 1...Int(Int32.max), default: 0)
                    let owned = try await services.store.read { s in try await s.tokens(user: id) }.contains { $0.id == Int64(token) }
                    guard owned else { throw AppError.notFound("No such token") }
                    try await services.auth.revokeToken(id: Int64(token), by: viewer.caller)
                }
                return Pages.redirect("/people/\(id.rawValue)?done=\(verb)")
            } catch AppError.refused(let problems) {
                return try await show(id, viewer, services, renderer, status: .unprocessableContent, problems: problems)
            } catch AppError.conflict(let message) {
                let problem = Violation(
                    rule: .invalidValue, message: .init(ru: "Последнего администратора нельзя отключить или понизить", en: message))
                return try await show(id, viewer, services, renderer, status: .conflict, problems: [problem])
            }
        }
    }

    static func userID(_ context: AppRequestContext) throws -> UserID {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw AppError.notFound("No such user") }
        return UserID(id)
    }

    static func show(
        _ id: UserID, _ viewer: WebViewer, _ services: AppServices, _ renderer: WebRenderer, link: String? = nil, notice: String? = nil,
        status: HTTPResponse.Status = .ok, problems: [Violation] = []
    ) async throws -> Response {
        let (user, tokens, last) = try await services.store.read { s in
            (try await s.user(id), try await s.tokens(user: id), try await s.lastSignIns()[id])
        }
        let rows = tokens.map { token in
            TokensPage.Row(
                id: token.id, name: token.name, prefix: token.prefix, scope: token.scope.rawValue, created: viewer.time(token.createdAt),
                lastUsed: token.lastUsedAt.map(viewer.time) ?? "—", active: token.revokedAt == nil,
                revoked: token.revokedAt.map(viewer.time) ?? "")
        }
        let page = PersonPage(
            user: PeoplePage.row(user, last: last, viewer), roles: PeoplePage.roles(viewer, current: user.role), tokens: rows, link: link,
            notice: notice)
        return renderer.page("person", page, title: user.name, viewer: viewer, status: status, problems: problems, errorsID: "person-errors")
    }
}

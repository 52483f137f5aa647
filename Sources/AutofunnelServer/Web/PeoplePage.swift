import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The users of the installation. Admins list them, create one (with a one-time set-password link shown once), and
/// open a user to change the role, disable or enable, reset the password or revoke tokens (`PersonPage`). A head of
/// sales reads the team's users without any form; everyone else gets a 403 page. Every change goes through
/// `AuthService`, like the API and the command line, which writes the audit lines.
struct PeoplePage {
    struct Row {
        let id: Int64
        let name: String
        let email: String
        let role: String
        let active: Bool
        let status: String
        let lastSignIn: String
    }
    struct Invited {
        let name: String
        let link: String
    }
    let rows: [Row]
    /// The forms and links of an admin; nil for a head of sales.
    let manage: Manage?

    struct Manage {
        let roles: [WebOption]
        let locales: [WebOption]
        let invited: Invited?
        let name: String
        let email: String
    }

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/people") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            guard viewer.principal.administers || viewer.principal.role == .headOfSales else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            return try await show(viewer, services, renderer)
        }
        router.post("/people") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let form = try await viewer.form(request)
            let (name, email) = (form["name"] ?? "", form["email"] ?? "")
            do {
                guard let role = Role(rawValue: form["role"] ?? "") else { throw roleRefusal }
                let invited = try await services.auth.invite(
                    .init(email: email, name: name, locale: User.Locale(rawValue: form["locale"] ?? "") ?? viewer.locale, role: role, password: nil),
                    by: viewer.caller)
                let link = Invited(name: invited.user.name, link: linkURL(invited.secret, request, services))
                return try await show(viewer, services, renderer, invited: link, status: .created)
            } catch AppError.refused(let problems) {
                return try await show(viewer, services, renderer, name: name, email: email, status: .unprocessableContent, problems: problems)
            } catch StoreError.conflict {
                let problem = Violation(
                    rule: .invalidValue, field: "email",
                    message: .init(ru: "Пользователь с таким e-mail уже есть", en: "A user with this e-mail exists"))
                return try await show(viewer, services, renderer, name: name, email: email, status: .conflict, problems: [problem])
            }
        }
        PersonPage.register(on: router, services: services, renderer: renderer)
    }

    static var roleRefusal: AppError {
        AppError.refused([.init(rule: .invalidValue, field: "role", message: .init(ru: "Выберите роль", en: "Choose a role"))])
    }

    /// The address of a set-password link on this server, as the admin's browser reached it.
    static func linkURL(_ secret: String, _ request: Request, _ services: AppServices) -> String {
        let scheme = services.auth.config.secureCookies ? "https" : "http"
        return "\(scheme)://\(request.head.authority ?? "localhost")/welcome?token=\(secret)"
    }

    /// The role choices of a form, `current` selected.
    static func roles(_ viewer: WebViewer, current: Role) -> [WebOption] {
        Role.allCases.map { WebOption(value: $0.rawValue, label: label($0, viewer), selected: $0 == current) }
    }

    static func label(_ role: Role, _ viewer: WebViewer) -> String { WebText.labels(viewer.locale)["role.\(role.rawValue)"] ?? role.rawValue }

    static func show(
        _ viewer: WebViewer, _ services: AppServices, _ renderer: WebRenderer, invited: Invited? = nil, name: String = "", email: String = "",
        status: HTTPResponse.Status = .ok, problems: [Violation] = []
    ) async throws -> Response {
        let (users, last) = try await services.store.read { s in (try await s.users(), try await s.lastSignIns()) }
        let admin = viewer.principal.administers
        // A head of sales sees the team: everyone but the admins.
        let shown = admin ? users : users.filter { $0.role != .admin }
        let rows = shown.map { row($0, last: last[$0.id], viewer) }
        let manage =
            admin
            ? Manage(
                roles: roles(viewer, current: .manager),
                locales: [User.Locale.ru, .en].map {
                    WebOption(value: $0.rawValue, label: $0 == .ru ? "Русский" : "English", selected: $0 == viewer.locale)
                },
                invited: invited, name: name, email: email) : nil
        return renderer.page(
            "people", PeoplePage(rows: rows, manage: manage), title: viewer.text(.init(ru: "Пользователи", en: "Users")), viewer: viewer,
            status: status, problems: problems, errorsID: "people-errors")
    }

    static func row(_ user: User, last: Timestamp?, _ viewer: WebViewer) -> Row {
        Row(
            id: user.id.rawValue, name: user.name, email: user.email, role: label(user.role, viewer), active: user.active,
            status: viewer.text(user.active ? .init(ru: "активен", en: "active") : .init(ru: "отключён", en: "disabled")),
            lastSignIn: last.map(viewer.time) ?? "—")
    }
}

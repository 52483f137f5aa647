import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import Hummingbird

/// The web UI's routes: the board, the deal card, tasks, analytics and settings, the static files, and the
/// language switch. Pages read the session cookie themselves; forms carry the session's CSRF token.
enum Web {
    /// A page that only says something.
    struct Message {
        let text: String
    }

    static func register(on root: Router<AppRequestContext>, services: AppServices) throws {
        let renderer = try WebRenderer.load()
        let router = root.group().add(middleware: PageErrors())
        router.get("/static/{name}") { _, context -> Response in
            guard let response = renderer.asset(try context.parameters.require("name")) else { throw AppError.notFound("No such file") }
            return response
        }
        router.get("/") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            if let key = try await firstPipeline(viewer, services: services) { return Pages.redirect("/board/\(key)") }
            let text =
                viewer.ru
                ? "Воронок пока нет: добавьте их в настройках или командой autofunnel presets apply"
                : "No pipelines yet: add them in settings or with autofunnel presets apply"
            return renderer.page("message", Message(text: text), title: "Autofunnel", viewer: viewer)
        }
        router.get("/board") { request, _ -> Response in
            let key = Web.query(request)["key"] ?? ""
            return Pages.redirect(key.isValidKey ? "/board/\(key)" : "/")
        }
        router.post("/locale") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            _ = try await viewer.form(request)
            let other: User.Locale = viewer.ru ? .en : .ru
            _ = try await services.auth.updateUser(viewer.user.id, UserChanges(locale: other), by: viewer.caller)
            let back = request.headers[.referer].flatMap { URLPath.local($0) } ?? "/"
            return Pages.redirect(back)
        }
        BoardPage.register(on: router, services: services, renderer: renderer)
        DealPage.register(on: router, services: services, renderer: renderer)
        TasksPage.register(on: router, services: services, renderer: renderer)
        SearchPage.register(on: router, services: services, renderer: renderer)
        TokensPage.register(on: router, services: services, renderer: renderer)
        ProfilePage.register(on: router, services: services, renderer: renderer)
        NoticesPage.register(on: router, services: services, renderer: renderer)
        AnalyticsPage.register(on: router, services: services, renderer: renderer)
        SettingsPage.register(on: router, services: services, renderer: renderer)
        ImportsPage.register(on: router, services: services, renderer: renderer)
        PartyPages.register(on: router, services: services, renderer: renderer)
        DuplicatesPage.register(on: router, services: services, renderer: renderer)
        MergePage.register(on: router, services: services, renderer: renderer)
        NotePages.register(on: router, services: services, renderer: renderer)
        TagPages.register(on: router, services: services, renderer: renderer)
        PeoplePage.register(on: router, services: services, renderer: renderer)
        GrantsPage.register(on: router, services: services, renderer: renderer)
        AuditPage.register(on: router, services: services, renderer: renderer)
        PasswordLinkPage.register(on: router, services: services)
    }

    /// A whole number from a page's query or form: missing or empty is `fallback`; anything else outside `range` is a
    /// 400 naming the field (a caller's number is never used unbounded).
    static func integer(_ text: String?, _ field: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text, !text.isEmpty else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw AppError.invalidParameter(
                field, ru: "\(field) — целое число от \(range.lowerBound) до \(range.upperBound)",
                en: "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// The query of a page address as a form sends it: `+` is a space (Hummingbird's parameters keep the `+`).
    static func query(_ request: Request) -> [String: String] { Form.parse(request.uri.query ?? "") }

    /// A value for a page address: everything but unreserved characters percent-encoded (a `+` too).
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The first pipeline the viewer may see, by name order of the store.
    static func firstPipeline(_ viewer: WebViewer, services: AppServices) async throws -> PipelineKey? {
        try await services.store.read { s in try await s.pipelines().first { viewer.principal.seesPipeline($0.key) }?.key }
    }
}

/// The path of a same-site URL, for going back after a form: another site's address gives nil.
enum URLPath {
    static func local(_ referer: String) -> String? {
        guard let schemeEnd = referer.range(of: "://") else { return referer.hasPrefix("/") && !referer.hasPrefix("//") ? referer : nil }
        let rest = referer[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        let path = String(rest[slash...])
        return path.hasPrefix("//") ? "/" : path
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The signed-in user's own settings: the time zone their pages show and read times in, and the secret calendar
/// address their open tasks are published at (made, replaced and turned off here; the secret shown once).
struct ProfilePage {
    let name: String
    let email: String
    let zones: [WebOption]
    let languages: [WebOption]
    let saved: Bool
    let feedSince: String?
    /// The new calendar address, on the answer to the form that made it only.
    let feedURL: String?

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/profile") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            return try await show(viewer, services, renderer, saved: Web.query(request)["saved"] == "1")
        }
        router.post("/profile") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let zoneText = form["timeZone"] ?? ""
            var zone: TimeZoneName?? = .some(nil)
            if !zoneText.isEmpty {
                guard let chosen = TimeZoneName(zoneText) else {
                    throw AppError.invalidParameter("timeZone", ru: "Неизвестный часовой пояс", en: "Unknown time zone")
                }
                zone = .some(chosen)
            }
            let locale = User.Locale(rawValue: form["locale"] ?? "") ?? viewer.locale
            _ = try await services.auth.updateUser(viewer.user.id, UserChanges(locale: locale, timeZone: zone), by: viewer.caller)
            return Pages.redirect("/profile?saved=1")
        }
        router.post("/profile/calendar") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            _ = try await viewer.form(request)
            let secret = try await services.auth.createCalendarFeed(by: viewer.caller)
            return try await show(viewer, services, renderer, feedURL: "\(services.deals.publicURL)/calendar/\(secret).ics", status: .created)
        }
        router.post("/profile/calendar/revoke") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            _ = try await viewer.form(request)
            try await services.auth.revokeCalendarFeed(by: viewer.caller)
            return Pages.redirect("/profile")
        }
        // The address is the credential: no session, read-only, only the owner's open tasks as they may see them.
        router.get("/calendar/{file}") { _, context -> Response in
            let file = try context.parameters.require("file")
            guard file.hasSuffix(".ics"), let text = try await services.calendar(secret: String(file.dropLast(4))) else {
                throw AppError.notFound("No such calendar")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/calendar; charset=utf-8"
            headers[.cacheControl] = "private, no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: text)))
        }
    }

    static func show(
        _ viewer: WebViewer, _ services: AppServices, _ renderer: WebRenderer, saved: Bool = false, feedURL: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let since = try await services.store.read { s in try await s.calendarFeedCreated(user: viewer.user.id) }
        let t = WebText.labels(viewer.locale)
        let own = viewer.user.timeZone
        let zones =
            [WebOption(value: "", label: "\(t["installationZone"] ?? ""): \(services.auth.timeZone.rawValue)", selected: own == nil)]
            + TimeZoneName.all.map { WebOption(value: $0, label: $0.replacingOccurrences(of: "_", with: " "), selected: own?.rawValue == $0) }
        let languages = [
            WebOption(value: "ru", label: "Русский", selected: viewer.locale == .ru),
            WebOption(value: "en", label: "English", selected: viewer.locale == .en),
        ]
        let page = ProfilePage(
            name: viewer.user.name, email: viewer.user.email, zones: zones, languages: languages, saved: saved, feedSince: since.map(viewer.time),
            feedURL: feedURL)
        return renderer.page("profile", page, title: viewer.ru ? "Мой профиль" : "My profile", viewer: viewer, status: status)
    }
}

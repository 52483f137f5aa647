import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// The signed-in user's notices, newest first, unread marked: open the deal, mark one or all read; and which kinds
/// also come by e-mail (at most one digest an hour, through the installation's e-mail channel).
struct NoticesPage {
    struct Row {
        let id: Int64
        let kind: String
        let kindText: String
        let text: String
        let at: String
        let deal: Int64?
        let unread: Bool
    }
    struct Kind {
        let value: String
        let label: String
        let checked: Bool
    }
    let rows: [Row]
    let anyUnread: Bool
    let kinds: [Kind]
    /// Whether an active e-mail channel exists to send digests through.
    let mailChannel: Bool
    let saved: Bool

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/notices") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let page = try await load(viewer, services, saved: Web.query(request)["saved"] == "1")
            return renderer.page("notices", page, title: viewer.ru ? "Уведомления" : "Notices", viewer: viewer)
        }
        router.post("/notices/read") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let now = services.clock.now()
            let user = viewer.user.id
            if let text = form["id"], !text.isEmpty {
                guard let id = Int64(text), id > 0 else { throw AppError.notFound("No such notice") }
                let found = try await services.store.write { s in try await s.markNoticeRead(id, user: user, at: now) }
                guard found else { throw AppError.notFound("No such notice") }
            } else {
                try await services.store.write { s in try await s.markAllNoticesRead(user: user, at: now) }
            }
            return Pages.redirect("/notices")
        }
        router.post("/notices/mail") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let kinds = Set(Notice.Kind.allCases.filter { form["kind." + $0.rawValue] == "on" })
            let user = viewer.user.id
            try await services.store.write { s in try await s.setNoticeMail(user: user, kinds: kinds) }
            return Pages.redirect("/notices?saved=1")
        }
    }

    static func load(_ viewer: WebViewer, _ services: AppServices, saved: Bool) async throws -> NoticesPage {
        let user = viewer.user.id
        let (notices, mail, channels) = try await services.store.read { s in
            (try await s.notices(user: user, unreadOnly: false, limit: 200), try await s.noticeMail(user: user), try await s.endpoints())
        }
        let t = WebText.labels(viewer.locale)
        let rows = notices.map {
            Row(
                id: $0.id, kind: $0.kind, kindText: t["notice." + $0.kind] ?? $0.kind, text: $0.text(ru: viewer.ru), at: viewer.time($0.createdAt),
                deal: $0.deal?.rawValue, unread: $0.readAt == nil)
        }
        return NoticesPage(
            rows: rows, anyUnread: rows.contains(where: \.unread),
            kinds: Notice.Kind.allCases.map {
                Kind(value: $0.rawValue, label: t["notice." + $0.rawValue] ?? $0.rawValue, checked: mail.kinds.contains($0))
            },
            mailChannel: channels.contains { $0.kind == .email && $0.active }, saved: saved)
    }
}

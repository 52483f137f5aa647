import AutofunnelCore
import AutofunnelEngine
import Hummingbird

/// The signed-in user of a page request: who they are, their session's CSRF token and their language.
struct WebViewer: Sendable {
    let principal: Principal
    let csrf: String
    let sessionHash: String
    let ip: String
    /// The zone the viewer's pages show and read times in: their own, else the installation's.
    let zone: TimeZoneName
    /// Unread notices: the number on the navigation's bell.
    let unread: Int

    var user: User { principal.user }
    var locale: User.Locale { principal.user.locale }
    var ru: Bool { locale == .ru }
    var caller: Caller { Caller(principal: principal, sessionHash: sessionHash, ip: ip) }
    /// Heads of sales and admins see the team's tasks and every manager's figures.
    var leadsTeam: Bool { principal.role == .admin || principal.role == .headOfSales }

    /// A moment on the viewer's wall clock: `2026-11-23 17:05`.
    func time(_ t: Timestamp) -> String { zone.local(t).text }

    /// 10:00 on the viewer's clock, `days` after today: where a new task's due time starts.
    func morning(after now: Timestamp, days: Int = 1) -> Timestamp {
        var l = zone.local(zone.startOfDay(now, days: days))
        (l.hour, l.minute) = (10, 0)
        return zone.moment(l) ?? now
    }

    /// A `datetime-local` input's text read on the viewer's clock; nil when empty, a 400 naming the field when unreadable.
    func moment(_ text: String?, field: String) throws -> Timestamp? {
        guard let text = text?.trimmed, !text.isEmpty else { return nil }
        guard let local = LocalTime(inputText: text), let t = zone.moment(local) else {
            throw AppError.invalidParameter(
                field, ru: "\(field): дата и время вида 2026-11-23T10:00", en: "\(field) must be a date and time like 2026-11-23T10:00")
        }
        return t
    }

    /// The text in the viewer's language.
    func text(_ l: Localized) -> String { ru ? l.ru : l.en }

    /// The viewer of a request, or nil when it carries no valid session.
    static func of(_ request: Request, context: AppRequestContext, auth: AuthService) async throws -> WebViewer? {
        guard let cookie = request.cookies[SessionCookie.name]?.value, let (principal, session) = try await auth.principal(sessionID: cookie)
        else { return nil }
        return WebViewer(
            principal: principal, csrf: session.csrfToken, sessionHash: session.idHash, ip: context.clientIP,
            zone: principal.user.timeZone ?? auth.timeZone, unread: try await auth.unreadNotices(principal.user.id))
    }

    /// Reads a form posted from a page: refused when it comes from another site or lacks the session's CSRF token.
    func form(_ request: Request, limit: Int = 64 * 1024) async throws -> [String: String] {
        try Pages.refuseForeign(request)
        let form = try await Form.read(request, limit: limit)
        guard let sent = form["_csrf"], Secrets.equal(sent, csrf) else { throw Pages.csrfRefusal }
        return form
    }
}

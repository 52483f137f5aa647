import AutofunnelCore
import AutofunnelEngine
import Hummingbird

/// The signed-in user of a page request: who they are, their session's CSRF token and their language.
struct WebViewer: Sendable {
    let principal: Principal
    let csrf: String
    let sessionHash: String
    let ip: String

    var user: User { principal.user }
    var locale: User.Locale { principal.user.locale }
    var ru: Bool { locale == .ru }
    var caller: Caller { Caller(principal: principal, sessionHash: sessionHash, ip: ip) }
    /// Heads of sales and admins see the team's tasks and every manager's figures.
    var leadsTeam: Bool { principal.role == .admin || principal.role == .headOfSales }

    /// The text in the viewer's language.
    func text(_ l: Localized) -> String { ru ? l.ru : l.en }

    /// The viewer of a request, or nil when it carries no valid session.
    static func of(_ request: Request, context: AppRequestContext, auth: AuthService) async throws -> WebViewer? {
        guard let cookie = request.cookies[SessionCookie.name]?.value, let (principal, session) = try await auth.principal(sessionID: cookie)
        else { return nil }
        return WebViewer(principal: principal, csrf: session.csrfToken, sessionHash: session.idHash, ip: context.clientIP)
    }

    /// Reads a form posted from a page: refused when it comes from another site or lacks the session's CSRF token.
    func form(_ request: Request, limit: Int = 64 * 1024) async throws -> [String: String] {
        try Pages.refuseForeign(request)
        let form = try await Form.read(request, limit: limit)
        guard let sent = form["_csrf"], Secrets.equal(sent, csrf) else { throw Pages.csrfRefusal }
        return form
    }
}

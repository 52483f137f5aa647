import AutofunnelCore
import AutofunnelEngine
import HTTPTypes
import Hummingbird

/// Authenticates every API request: a bearer token or the session cookie. Requests without a valid credential are
/// answered 401, except signing in itself. Changes sent with a session cookie must carry the session's CSRF token in
/// `X-CSRF-Token`, and are refused outright when the browser says they come from another site.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let auth: AuthService
    static var csrfField: HTTPField.Name { HTTPField.Name("X-CSRF-Token")! }
    static var fetchSiteField: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }

    /// Routes that answer without a credential.
    static func isPublic(_ request: Request) -> Bool {
        request.method == .post && (request.uri.path == "/api/v1/session" || request.uri.path.hasPrefix("/api/v1/inbound/") || isSigned(request))
    }

    /// Routes authenticated by a signature over the body (Standard Webhooks): the handler needs the body as sent.
    static func isSigned(_ request: Request) -> Bool {
        let path = request.uri.path
        return request.method == .post
            && (path.hasPrefix("/api/v1/callbacks/") || (path.hasPrefix("/api/v1/channels/") && path.hasSuffix("/messages")))
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool { ![.get, .head, .options].contains(method) }

    /// A browser that says the request comes from another site: never a change, whatever it carries.
    static func crossSite(_ request: Request) -> Bool {
        guard let site = request.headers[fetchSiteField]?.lowercased() else { return false }
        return site == "cross-site"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var rawBody: String?
        if Self.isSigned(request) {
            // Collected once and kept on the request, so the generated handler still decodes it; the size limit ran before.
            rawBody = String(buffer: try await request.collectBody(upTo: .max))
        }
        if Self.changesState(request.method) && Self.crossSite(request) {
            throw AppError.forbidden([Violation(rule: .csrf, message: .init(ru: "Запрос с чужого сайта отклонён", en: "Cross-site request refused"))])
        }
        let isPublic = Self.isPublic(request)
        let caller = try await authenticate(request, ip: context.clientIP, checkCSRF: !isPublic)
        if caller == nil && !isPublic { throw AppError.unauthenticated }
        if Self.changesState(request.method) { try caller?.principal.refuseChangeWithReadScope() }
        let facts = Caller.Facts(
            ip: context.clientIP, userAgent: request.headers[.userAgent], sessionCookie: request.cookies[SessionCookie.name]?.value,
            setCookie: Caller.Pending(), rawBody: rawBody)
        var response = try await Caller.$facts.withValue(facts) {
            try await Caller.$current.withValue(caller) { try await next(request, context) }
        }
        if let cookie = facts.setCookie.current { response.headers[.setCookie] = cookie }
        return response
    }

    /// The caller behind the request's credential; a bearer header that is not valid is a 401 even if a cookie is sent.
    func authenticate(_ request: Request, ip: String, checkCSRF: Bool) async throws -> Caller? {
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer "), let principal = try await auth.principal(bearer: String(header.dropFirst(7))) else {
                throw AppError.unauthenticated
            }
            return Caller(principal: principal, sessionHash: nil, ip: ip)
        }
        guard let cookie = request.cookies[SessionCookie.name]?.value, !cookie.isEmpty,
            let (principal, session) = try await auth.principal(sessionID: cookie)
        else { return nil }
        if checkCSRF && Self.changesState(request.method) {
            guard let sent = request.headers[Self.csrfField], Secrets.equal(sent, session.csrfToken) else {
                throw AppError.forbidden([
                    Violation(
                        rule: .csrf, field: "X-CSRF-Token",
                        message: .init(ru: "Нет CSRF-токена сессии", en: "A change sent with a session cookie needs the session's X-CSRF-Token"))
                ])
            }
        }
        return Caller(principal: principal, sessionHash: session.idHash, ip: ip)
    }
}

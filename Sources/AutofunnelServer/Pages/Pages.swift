import AutofunnelCore
import AutofunnelEngine
import Foundation
import HTTPTypes
import Hummingbird

/// The pages that come before the board: first-start setup, sign-in and sign-out. Forms sent before a
/// session exists are refused when the browser says they come from another site or the Origin is not this server;
/// forms sent with a session carry its CSRF token.
enum Pages {
    static func register(on router: Router<AppRequestContext>, services: AppServices) {
        let auth = services.auth
        router.get("/login") { request, _ -> Response in
            html(PageText.login(error: nil, email: "", locale: locale(request)), title: "Autofunnel — вход", locale: locale(request))
        }
        router.post("/login") { request, context -> Response in
            try refuseForeign(request)
            let form = try await Form.read(request)
            do {
                let signed = try await auth.signIn(
                    email: form["email"] ?? "", password: form["password"] ?? "", ip: context.clientIP, userAgent: request.headers[.userAgent],
                    replacing: request.cookies[SessionCookie.name]?.value)
                return redirect("/", cookie: SessionCookie.set(signed.sessionID, secure: auth.config.secureCookies))
            } catch AppError.unauthenticated {
                return html(
                    PageText.login(
                        error: "Неверный e-mail или пароль / Wrong e-mail or password", email: form["email"] ?? "", locale: locale(request)),
                    title: "Autofunnel — вход", locale: locale(request), status: .unauthorized)
            } catch AppError.tooManyRequests(let seconds) {
                var response = html(
                    PageText.login(
                        error: "Слишком много попыток, подождите \(seconds) с / Too many attempts, wait \(seconds) s", email: form["email"] ?? "",
                        locale: locale(request)), title: "Autofunnel — вход", locale: locale(request), status: .tooManyRequests)
                response.headers[.retryAfter] = String(seconds)
                return response
            }
        }
        router.post("/logout") { request, context -> Response in
            try refuseForeign(request)
            let form = try await Form.read(request)
            if let cookie = request.cookies[SessionCookie.name]?.value, let (principal, session) = try await auth.principal(sessionID: cookie) {
                guard let sent = form["_csrf"], Secrets.equal(sent, session.csrfToken) else { throw csrfRefusal }
                try await auth.signOut(
                    sessionHash: session.idHash, caller: Caller(principal: principal, sessionHash: session.idHash, ip: context.clientIP))
            }
            return redirect("/login", cookie: SessionCookie.clear(secure: auth.config.secureCookies))
        }
        router.get("/setup") { request, _ -> Response in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            guard try await auth.setupOpen(token: token) else {
                return html(PageText.setupClosed, title: "Autofunnel — setup", locale: locale(request), status: .notFound)
            }
            return html(PageText.setup(token: token, problems: []), title: "Autofunnel — setup", locale: locale(request))
        }
        router.post("/setup") { request, context -> Response in
            try refuseForeign(request)
            let form = try await Form.read(request)
            let token = form["token"] ?? ""
            do {
                let signed = try await auth.completeSetup(
                    token: token,
                    .init(
                        email: form["email"] ?? "", name: form["name"] ?? "", locale: User.Locale(rawValue: form["locale"] ?? "ru") ?? .ru,
                        role: .admin,
                        password: form["password"] ?? ""),
                    ip: context.clientIP, userAgent: request.headers[.userAgent])
                return redirect("/", cookie: SessionCookie.set(signed.sessionID, secure: auth.config.secureCookies))
            } catch AppError.refused(let problems) {
                return html(
                    PageText.setup(token: token, problems: problems), title: "Autofunnel — setup", locale: locale(request),
                    status: .unprocessableContent)
            } catch AppError.notFound {
                return html(PageText.setupClosed, title: "Autofunnel — setup", locale: locale(request), status: .notFound)
            }
        }
    }

    static var csrfRefusal: AppError {
        .forbidden([Violation(rule: .csrf, message: .init(ru: "Форма отправлена не с этого сайта", en: "The form was not sent from this site"))])
    }

    /// A form posted from another site, by the browser's own account (`Sec-Fetch-Site`) or by its `Origin`.
    static func refuseForeign(_ request: Request) throws {
        if AuthMiddleware.crossSite(request) { throw csrfRefusal }
        if let origin = request.headers[.origin], let host = request.head.authority {
            guard let url = URL(string: origin), let originHost = url.host else { throw csrfRefusal }
            let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
            if originAuthority != host { throw csrfRefusal }
        }
    }

    static func locale(_ request: Request) -> User.Locale {
        (request.headers[.acceptLanguage] ?? "ru").lowercased().hasPrefix("en") ? .en : .ru
    }

    static func html(_ body: String, title: String, locale: User.Locale, status: HTTPResponse.Status = .ok) -> Response {
        WebRenderer.html(PageText.layout(title: title, body: body, locale: locale), status: status)
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}

/// A form body (`application/x-www-form-urlencoded`).
enum Form {
    static func read(_ request: Request, limit: Int = 64 * 1024) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let name = parts.first?.removingPercentEncoding else { continue }
            out[name] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? "") : ""
        }
        return out
    }
}

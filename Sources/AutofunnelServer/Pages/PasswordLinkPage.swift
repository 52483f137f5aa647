import AutofunnelCore
import AutofunnelEngine
import Hummingbird

/// The page a one-time set-password link opens (`/welcome?token=…`): the user chooses a password, the link is used
/// up and the user is signed in. A used, expired or unknown link, or a disabled user, gets a page saying so (404).
/// No session exists yet, so the form is guarded like sign-in's: foreign origins are refused, and the link's secret
/// itself is what proves the right to post.
enum PasswordLinkPage {
    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices) {
        let auth = services.auth
        router.get("/welcome") { request, _ -> Response in
            let token = String((Web.query(request)["token"] ?? "").prefix(100))
            guard let user = try await auth.passwordLinkUser(secret: token) else { return closed(Pages.locale(request)) }
            return Pages.html(form(token: token, user: user, problems: []), title: title(user.locale), locale: user.locale)
        }
        router.post("/welcome") { request, context -> Response in
            try Pages.refuseForeign(request)
            let form = try await Form.read(request)
            let token = String((form["token"] ?? "").prefix(100))
            guard let user = try await auth.passwordLinkUser(secret: token) else { return closed(Pages.locale(request)) }
            guard form["password"] == form["repeat"] else {
                let problem = Violation(
                    rule: .invalidValue, field: "repeat", message: .init(ru: "Пароли не совпадают", en: "The passwords differ"))
                return Pages.html(
                    self.form(token: token, user: user, problems: [problem]), title: title(user.locale), locale: user.locale,
                    status: .unprocessableContent)
            }
            do {
                let signed = try await auth.completePasswordLink(
                    secret: token, password: form["password"] ?? "", ip: context.clientIP, userAgent: request.headers[.userAgent])
                return Pages.redirect("/", cookie: SessionCookie.set(signed.sessionID, secure: auth.config.secureCookies))
            } catch AppError.refused(let problems) {
                return Pages.html(
                    self.form(token: token, user: user, problems: problems), title: title(user.locale), locale: user.locale,
                    status: .unprocessableContent)
            } catch AppError.notFound {
                return closed(user.locale)
            }
        }
    }

    static func title(_ locale: User.Locale) -> String { locale == .ru ? "Autofunnel — пароль" : "Autofunnel — password" }

    static func closed(_ locale: User.Locale) -> Response {
        let ru = locale == .ru
        let text =
            ru
            ? "Ссылка уже использована или устарела. Попросите администратора выдать новую или войдите: <a href=\"/login\">/login</a>."
            : "This link is used or expired. Ask an admin for a new one, or sign in at <a href=\"/login\">/login</a>."
        return Pages.html(
            "<h1>Autofunnel</h1><p id=\"welcome-closed\" role=\"alert\">\(text)</p>", title: title(locale), locale: locale, status: .notFound)
    }

    static func form(token: String, user: User, problems: [Violation]) -> String {
        let ru = user.locale == .ru
        let e = PageText.escape
        let list = problems.map { "<li>\(e(ru ? $0.message.ru : $0.message.en))</li>" }.joined()
        return """
            <h1>\(ru ? "Добро пожаловать" : "Welcome"), <span id="welcome-name">\(e(user.name))</span></h1>
            <p>\(ru ? "Задайте пароль для входа" : "Choose a password to sign in as") <b id="welcome-email">\(e(user.email))</b>.</p>
            \(list.isEmpty ? "" : "<ul id=\"welcome-errors\" class=\"error\" role=\"alert\">\(list)</ul>")
            <form id="welcome-form" method="post" action="/welcome"><input type="hidden" name="token" value="\(e(token))">
            <input type="text" name="username" value="\(e(user.email))" autocomplete="username" hidden>
            <label for="password">\(ru ? "Пароль (от 10 символов)" : "Password (10+ characters)")</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
            <label for="repeat">\(ru ? "Ещё раз" : "Again")</label>
            <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="10" required>
            <button id="welcome-save" type="submit">\(ru ? "Сохранить и войти" : "Save and sign in")</button></form>
            """
    }
}

import AutofunnelCore
import AutofunnelEngine

/// The HTML of the pages before the board. Every value from a user passes through `escape`.
enum PageText {
    static func escape(_ text: String) -> String { TaskTemplate.escape(text) }

    static func layout(title: String, body: String, locale: User.Locale) -> String {
        """
        <!doctype html>
        <html lang="\(locale.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <link rel="stylesheet" href="/static/app.css"><link rel="icon" href="data:,"></head><body class="narrow"><main>\(body)</main></body></html>
        """
    }

    static func login(error: String?, email: String, locale: User.Locale) -> String {
        let ru = locale == .ru
        return """
            <h1>Autofunnel</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login">
            <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required value="\(escape(email))">
            <label for="password">\(ru ? "Пароль" : "Password")</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">\(ru ? "Войти" : "Sign in")</button>
            </form>
            """
    }

    static func message(_ text: String) -> String { "<h1>Autofunnel</h1><p class=\"error\" role=\"alert\">\(escape(text))</p>" }

    static func setup(token: String, problems: [Violation]) -> String {
        let list = problems.map { "<li>\(escape($0.message.ru)) / \(escape($0.message.en))</li>" }.joined()
        return """
            <h1>Autofunnel — первый запуск</h1>
            <p>Создайте первого администратора. / Create the first admin.</p>
            \(list.isEmpty ? "" : "<ul class=\"error\" role=\"alert\">\(list)</ul>")
            <form method="post" action="/setup"><input type="hidden" name="token" value="\(escape(token))">
            <label for="name">Имя / Name</label><input id="name" name="name" required>
            <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required>
            <label for="password">Пароль (от 10 символов) / Password (10+ characters)</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
            <label for="locale">Язык / Language</label>
            <select id="locale" name="locale"><option value="ru">Русский</option><option value="en">English</option></select>
            <button type="submit">Создать / Create</button></form>
            """
    }

    static let setupClosed = """
        <h1>Autofunnel</h1>
        <p>Ссылка первого запуска использована или устарела. Войдите: <a href="/login">/login</a>.</p>
        <p>This setup link is used or expired. Sign in at <a href="/login">/login</a>.</p>
        """
}

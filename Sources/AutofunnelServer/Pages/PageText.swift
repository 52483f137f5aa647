import AutofunnelCore

/// The HTML of the pages before the board. Every value from a user passes through `escape`.
enum PageText {
    static func escape(_ text: String) -> String { TaskTemplate.escape(text) }

    static func layout(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:4rem auto;padding:0 1rem;color:#1d2433}form{max-width:28rem}
        label{display:block;margin:.8rem 0 .2rem}input,select{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#b00020}.muted{color:#667}
        table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #dde;padding:.3rem;text-align:left;vertical-align:top}
        </style></head><body>\(body)</body></html>
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

    static func home(user: User, csrf: String) -> String {
        let ru = user.locale == .ru
        let settings = user.role == .admin ? "<p><a href=\"/settings/lint\">\(ru ? "Проверка воронок" : "Funnel lint")</a></p>" : ""
        return """
            <h1>Autofunnel</h1>
            <p>\(ru ? "Вы вошли как" : "Signed in as") <strong id="user-name">\(escape(user.name))</strong>
            (\(escape(user.email)), \(escape(user.role.rawValue)))</p>
            \(settings)
            <p class="muted">API: <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a></p>
            <form method="post" action="/logout"><input type="hidden" name="_csrf" value="\(escape(csrf))">
            <button type="submit">\(ru ? "Выйти" : "Sign out")</button></form>
            """
    }

    static func message(_ text: String) -> String { "<h1>Autofunnel</h1><p class=\"error\" role=\"alert\">\(escape(text))</p>" }

    /// The linter's findings on every stored pipeline, grouped by pipeline, in the user's language.
    static func lint(_ findings: [LintFinding], locale: User.Locale) -> String {
        let ru = locale == .ru
        func text(_ l: Localized) -> String { escape(ru ? l.ru : l.en) }
        let groups = Dictionary(grouping: findings) { String($0.location.split(separator: ".").first ?? "") }
        let sections = groups.keys.sorted().map { pipeline -> String in
            let rows = (groups[pipeline] ?? []).map { f -> String in
                let mistake = f.mistake.map { " (000 #\($0))" } ?? ""
                return """
                    <tr class="\(f.severity.rawValue)"><td>\(f.severity == .error ? (ru ? "ошибка" : "error") : (ru ? "замечание" : "warning"))</td>
                    <td><code>\(escape(f.location))</code></td><td><code>\(escape(f.rule))</code>\(mistake)</td>
                    <td>\(text(f.message))<br><span class="muted">\(text(f.fix))</span></td></tr>
                    """
            }.joined()
            return """
                <h2>\(escape(pipeline))</h2>
                <table><thead><tr><th>\(ru ? "Важность" : "Severity")</th><th>\(ru ? "Где" : "Where")</th><th>\(ru ? "Правило" : "Rule")</th>
                <th>\(ru ? "Что и как исправить" : "What and how to fix")</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        }.joined()
        let errors = findings.filter { $0.severity == .error }.count
        return """
            <h1>\(ru ? "Проверка воронок" : "Funnel lint")</h1>
            <p>\(ru ? "Ошибок" : "Errors"): <strong id="lint-errors">\(errors)</strong>, \(ru ? "замечаний" : "warnings"):
            <strong id="lint-warnings">\(findings.count - errors)</strong></p>
            \(findings.isEmpty ? "<p>\(ru ? "Замечаний нет" : "No findings")</p>" : sections)
            <p><a href="/">\(ru ? "На главную" : "Home")</a></p>
            """
    }

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

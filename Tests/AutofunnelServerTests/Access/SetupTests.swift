import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing

@Suite("First start and the sign-in pages")
struct SetupTests {
    /// Services on an empty database: no users at all.
    static func empty() async throws -> AppServices {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return AppServices(
            store: try await StoreTarget.sqliteMemory.open(), clock: TestClock().appClock, logger: logger, hasher: PasswordHasher(cost: 4))
    }

    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    @Test func theSetupLinkCreatesTheFirstAdminOnceAndNothingIsOpenBefore() async throws {
        let services = try await Self.empty()
        try await services.store.closing { _ in
            let token = try #require(try await services.auth.beginSetup())
            let app = try buildApplication(services)
            try await app.test(.router) { client in
                let api = APITester(client: client)
                #expect(try await api.request(.get, "/api/v1/pipelines").status == 401)
                #expect(try await api.request(.get, "/setup?token=wrong").status == 404)
                let page = try await api.request(.get, "/setup?token=\(token)")
                #expect(page.status == 200 && page.text.contains("name=\"password\""))
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")

                let weak = try await api.request(
                    .post, "/setup", raw: "token=\(token)&name=Admin&email=root%40example.com&password=123456789", headers: Self.form)
                #expect(weak.status == 422 && weak.text.contains("10"))
                let foreign = try await api.request(
                    .post, "/setup", raw: "token=\(token)&name=Admin&email=root%40example.com&password=a-long-passphrase",
                    headers: Self.form.merging(["Sec-Fetch-Site": "cross-site"]) { $1 })
                #expect(foreign.status == 403)
                let made = try await api.request(
                    .post, "/setup", raw: "token=\(token)&name=Admin&email=root%40example.com&password=a-long-passphrase", headers: Self.form)
                #expect(made.status == 303)
                let cookie = try #require(sessionCookie(made))
                let me = try await api.with(cookie: cookie).request(.get, "/api/v1/session")
                #expect((me.object["user"] as? [String: Any])?["role"] as? String == "admin")

                let again = try await api.request(
                    .post, "/setup", raw: "token=\(token)&name=Evil&email=evil%40example.com&password=a-long-passphrase", headers: Self.form)
                #expect(again.status == 404, "the link works once")
                #expect(try await services.auth.beginSetup() == nil, "no setup once a user exists")
                let audit = try await services.store.read { s in try await s.audit(before: nil, limit: 10).items.map(\.action) }
                #expect(audit == [.setupCompleted])
            }
        }
    }

    @Test func theLoginPageSignsInAndOutWithAFormAndItsCSRFToken() async throws {
        try await TestServices.with { t in
            _ = try await t.user("lena@example.com", role: .manager, password: "correct-horse-battery")
            try await t.withAPI(anonymous: true) { api in
                #expect(try await api.request(.get, "/").headers[.location] == "/login")
                let bad = try await api.request(.post, "/login", raw: "email=lena%40example.com&password=nope", headers: Self.form)
                #expect(bad.status == 401 && bad.text.contains("Wrong e-mail or password"))
                let ok = try await api.request(.post, "/login", raw: "email=lena%40example.com&password=correct-horse-battery", headers: Self.form)
                #expect(ok.status == 303 && ok.headers[.location] == "/")
                let cookie = try #require(sessionCookie(ok))
                let start = try await api.with(cookie: cookie).request(.get, "/")
                #expect(start.status == 303 && start.headers[.location] == "/board/sales", "the start page is the first pipeline's board")
                let home = try await api.with(cookie: cookie).request(.get, "/board/sales")
                #expect(home.status == 200 && home.text.contains(#"id="user-name" href="/profile" title="Мой профиль">lena@example.com</a>"#))
                let csrf = try #require(
                    home.text.range(of: #"name="_csrf" value="([0-9a-f]{32})""#, options: .regularExpression).map {
                        String(home.text[$0].suffix(33).prefix(32))
                    })
                let forged = try await api.with(cookie: cookie).request(
                    .post, "/logout", raw: "_csrf=\(String(repeating: "1", count: 32))", headers: Self.form)
                #expect(forged.status == 403)
                let out = try await api.with(cookie: cookie).request(.post, "/logout", raw: "_csrf=\(csrf)", headers: Self.form)
                #expect(out.status == 303)
                #expect(try await api.with(cookie: cookie).request(.get, "/api/v1/session").status == 401)
                let evil = try await api.request(
                    .post, "/login", raw: "email=lena%40example.com&password=correct-horse-battery",
                    headers: Self.form.merging(["Origin": "https://evil.example"]) { $1 })
                #expect(evil.status == 403, "a login form posted from another origin")
            }
        }
    }
}

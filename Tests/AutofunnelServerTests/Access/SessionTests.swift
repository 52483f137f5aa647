import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The session cookie a response set, if any.
func sessionCookie(_ r: APIResponse) -> String? {
    guard let header = r.headers[.setCookie], header.hasPrefix("af_session=") else { return nil }
    let value = header.dropFirst("af_session=".count).prefix { $0 != ";" }
    return value.isEmpty ? nil : String(value)
}

extension APITester {
    /// Signs in with e-mail and password; returns the response, the cookie and the CSRF token.
    func signIn(_ email: String, _ password: String, cookie: String? = nil) async throws -> (APIResponse, String?, String?) {
        var headers: [String: String] = [:]
        if let cookie { headers["Cookie"] = "af_session=\(cookie)" }
        let r = try await with(token: nil).request(.post, "/api/v1/session", json: ["email": email, "password": password], headers: headers)
        return (r, sessionCookie(r), r.object["csrfToken"] as? String)
    }

    /// The same client sending a session cookie (and its CSRF token on changes) instead of a token.
    func with(cookie: String, csrf: String? = nil) -> APITester {
        var copy = with(token: nil)
        copy.defaultHeaders["Cookie"] = "af_session=\(cookie)"
        if let csrf { copy.defaultHeaders["X-CSRF-Token"] = csrf }
        return copy
    }
}

@Suite("Sign-in and sessions")
struct SessionTests {
    static let password = "correct-horse-battery"

    @Test func signInSetsAStrictCookieAndRotatesTheSessionID() async throws {
        try await TestServices.with { t in
            let user = try await t.user("anna@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let (first, cookie1, _) = try await api.signIn("Anna@Example.com", Self.password)
                #expect(first.status == 200)
                let header = try #require(first.headers[.setCookie])
                #expect(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/"))
                #expect(!header.contains("Secure"), "plain http in tests: Secure only behind https")
                let old = try #require(cookie1)
                #expect(old.count == 32 && old.allSatisfy(\.isHexDigit), "128 random bits as hex")
                #expect(try await api.with(cookie: old).request(.get, "/api/v1/session").object["user"] != nil)

                let (_, cookie2, _) = try await api.signIn("anna@example.com", Self.password, cookie: old)
                let new = try #require(cookie2)
                #expect(new != old)
                #expect(try await api.with(cookie: old).request(.get, "/api/v1/session").status == 401, "the old id ends at sign-in")
                let me = try await api.with(cookie: new).request(.get, "/api/v1/session")
                #expect((me.object["user"] as? [String: Any])?["id"] as? Int == Int(user.id.rawValue))
                #expect(me.object["credential"] as? String == "session")
                let stored = try await t.services.store.read { s in try await s.session(idHash: new) }
                #expect(stored == nil, "the store keeps a hash of the id, never the id")
            }
        }
    }

    @Test func disablingAUserEndsTheirSessionsAndStopsTheirTokens() async throws {
        try await TestServices.with { t in
            let user = try await t.user("boris@example.com", role: .manager, password: Self.password)
            let token = try await t.token(for: user, scope: .write)
            try await t.withAPI { admin in
                let (_, cookie, _) = try await admin.signIn("boris@example.com", Self.password)
                let session = try #require(cookie)
                #expect(try await admin.with(cookie: session).request(.get, "/api/v1/deals").status == 200)
                #expect(try await admin.with(token: token).request(.get, "/api/v1/deals").status == 200)

                let disabled = try await admin.request(.patch, "/api/v1/users/\(user.id)", json: ["active": false])
                #expect(disabled.status == 200 && disabled.object["active"] as? Bool == false)
                #expect(try await admin.with(cookie: session).request(.get, "/api/v1/deals").status == 401)
                #expect(try await admin.with(token: token).request(.get, "/api/v1/deals").status == 401)
                #expect(try await admin.signIn("boris@example.com", Self.password).0.status == 401, "a disabled user cannot sign in")
                #expect(try await t.services.store.read { s in try await s.sessionCount(user: user.id) } == 0)
            }
        }
    }

    @Test func changingThePasswordEndsEverySessionAndNeedsTheCurrentOne() async throws {
        try await TestServices.with { t in
            let user = try await t.user("vera@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let (_, cookie, csrf) = try await api.signIn("vera@example.com", Self.password)
                let me = api.with(cookie: cookie!, csrf: csrf)
                let wrong = try await me.request(
                    .put, "/api/v1/users/\(user.id)/password", json: ["password": "another-long-passphrase", "currentPassword": "nope-nope-nope"])
                #expect(wrong.status == 422 && wrong.fieldList == ["currentPassword"])
                let weak = try await me.request(
                    .put, "/api/v1/users/\(user.id)/password", json: ["password": "1234567890", "currentPassword": Self.password])
                #expect(weak.status == 422 && weak.ruleList == ["weakPassword"])
                let ok = try await me.request(
                    .put, "/api/v1/users/\(user.id)/password", json: ["password": "another-long-passphrase", "currentPassword": Self.password])
                #expect(ok.status == 204)
                #expect(try await me.request(.get, "/api/v1/session").status == 401)
                #expect(try await api.signIn("vera@example.com", Self.password).0.status == 401)
                #expect(try await api.signIn("vera@example.com", "another-long-passphrase").0.status == 200)
            }
        }
    }

    @Test func sessionsEndWhenIdleAndAfterTheAbsoluteLimit() async throws {
        try await TestServices.with { t in
            _ = try await t.user("gleb@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let (_, idle, _) = try await api.signIn("gleb@example.com", Self.password)
                t.clock.advance(millis: 2 * 3_600_000 + 1000)
                #expect(try await api.with(cookie: idle!).request(.get, "/api/v1/session").status == 401, "idle over 2 h")

                let (_, busy, _) = try await api.signIn("gleb@example.com", Self.password)
                for _ in 0..<13 {
                    t.clock.advance(millis: 3_600_000)
                    _ = try await api.with(cookie: busy!).request(.get, "/api/v1/session")
                }
                #expect(try await api.with(cookie: busy!).request(.get, "/api/v1/session").status == 401, "in use, but over 12 h old")
            }
        }
    }

    @Test func signOutEndsTheSessionAndClearsTheCookie() async throws {
        try await TestServices.with { t in
            _ = try await t.user("dina@example.com", role: .observer, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let (_, cookie, csrf) = try await api.signIn("dina@example.com", Self.password)
                let out = try await api.with(cookie: cookie!, csrf: csrf).request(.delete, "/api/v1/session")
                #expect(out.status == 204)
                #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
                #expect(try await api.with(cookie: cookie!).request(.get, "/api/v1/session").status == 401)
            }
        }
    }

    @Test func changesSentWithTheCookieNeedTheCSRFToken() async throws {
        try await TestServices.with { t in
            _ = try await t.user("egor@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let (_, cookie, csrf) = try await api.signIn("egor@example.com", Self.password)
                let body: [String: Any] = ["pipeline": "sales", "title": "Шкаф"]
                let bare = try await api.with(cookie: cookie!).request(.post, "/api/v1/deals", json: body)
                #expect(bare.status == 403 && bare.ruleList == ["csrf"])
                let forged = try await api.with(cookie: cookie!, csrf: String(repeating: "0", count: 32)).request(.post, "/api/v1/deals", json: body)
                #expect(forged.status == 403)
                let crossSite = try await api.with(cookie: cookie!, csrf: csrf).request(
                    .post, "/api/v1/deals", json: body, headers: ["Sec-Fetch-Site": "cross-site"])
                #expect(crossSite.status == 403, "the browser says another site sent it")
                #expect(try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10).items.isEmpty })
                let ok = try await api.with(cookie: cookie!, csrf: csrf).request(.post, "/api/v1/deals", json: body)
                #expect(ok.status == 201)
                #expect(try await api.with(cookie: cookie!).request(.get, "/api/v1/deals").status == 200, "reads need no token")
            }
        }
    }

    @Test func nothingButSignInAnswersWithoutACredential() async throws {
        try await TestServices.with { t in
            try await t.withAPI(anonymous: true) { api in
                let r = try await api.request(.get, "/api/v1/deals")
                #expect(r.status == 401)
                #expect(r.contentType == "application/problem+json")
                #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(try await api.with(token: "aft_not-a-real-token").request(.get, "/api/v1/deals").status == 401)
                #expect(try await api.request(.get, "/health").status == 200)
            }
        }
    }
}

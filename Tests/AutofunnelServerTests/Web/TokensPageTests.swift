import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelTestSupport
import Foundation
import Testing

/// The API-token page: a user creates a token, sees its secret once, uses it, and revokes it, without the API.
@Suite("API token page")
struct TokensPageTests {
    static func secret(in page: String) -> String? {
        guard let start = page.range(of: #"<code id="token-secret">"#), let end = page[start.upperBound...].range(of: "</code>") else { return nil }
        return String(page[start.upperBound..<end.lowerBound])
    }

    @Test func aTokenIsShownOnceWorksAndStopsWorkingWhenRevoked() async throws {
        try await TestServices.with { t in
            let me = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let empty = try await web.get("/tokens")
                #expect(empty.status == 200 && empty.text.contains("Токенов нет"))
                #expect(empty.text.contains(#"id="nav-tokens""#))
                // A manager is offered read and write, not administration.
                #expect(empty.text.contains(#"value="write" selected"#) && !empty.text.contains(#"value="admin""#))

                let created = try await web.post("/tokens", ["name": "Выгрузка в 1С", "scope": "read"], from: "/tokens")
                #expect(created.status == 201)
                let secret = try #require(Self.secret(in: created.text))
                #expect(secret.hasPrefix("aft_"))
                let stored = try await t.services.store.read { s in try await s.tokens(user: me.id) }
                #expect(stored.map(\.name) == ["Выгрузка в 1С"] && stored.map(\.scope) == [.read])

                let bearer = ["Authorization": "Bearer \(secret)"]
                #expect(try await api.request(.get, "/api/v1/deals", headers: bearer).status == 200)
                // A read token changes nothing.
                #expect(try await api.request(.post, "/api/v1/contacts", json: ["name": "Анна"], headers: bearer).status == 403)

                let listed = try await web.get("/tokens")
                #expect(!listed.text.contains(secret) && listed.text.contains("Выгрузка в 1С") && listed.text.contains(String(secret.prefix(10))))
                #expect(listed.text.contains("только чтение"))

                let revoked = try await web.post("/tokens/\(stored[0].id)/revoke", [:], from: "/tokens")
                #expect(revoked.status == 303 || revoked.status == 302)
                #expect(try await api.request(.get, "/api/v1/deals", headers: bearer).status == 401)
                let after = try await web.get("/tokens")
                #expect(after.text.contains("отозван") && !after.text.contains("token-revoke"))
            }
        }
    }

    @Test func badFormsAreRefusedAndOthersTokensAreOutOfReach() async throws {
        try await TestServices.with { t in
            let me = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            let other = try await t.user("other@example.com", role: .manager, password: WebSession.password)
            let theirs = try await t.services.auth.createToken(for: other.id, name: "их", scope: .write, by: nil)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let noName = try await web.post("/tokens", ["name": "  ", "scope": "write"], from: "/tokens")
                #expect(noName.status == 422 && noName.text.contains(#"id="token-errors""#) && noName.text.contains("от 1 до 100 символов"))
                let adminScope = try await web.post("/tokens", ["name": "x", "scope": "admin"], from: "/tokens")
                #expect(adminScope.status == 422 && adminScope.text.contains("Выберите права токена"))
                let forged = try await web.post("/tokens", ["name": "x", "scope": "read"], csrf: "0123")
                #expect(forged.status == 403)
                #expect(try await web.post("/tokens/\(theirs.token.id)/revoke", [:], from: "/tokens").status == 404)
                #expect(try await t.services.store.read { s in try await s.tokens(user: me.id) }.isEmpty)
                #expect(try await t.services.store.read { s in try await s.tokens(user: other.id) }.map(\.revokedAt) == [nil])
            }
            // Signed out, the page sends to the sign-in form.
            try await t.withAPI(anonymous: true) { api in
                let anonymous = try await api.request(.get, "/tokens")
                #expect(anonymous.status == 302 || anonymous.status == 303)
            }
        }
    }
}

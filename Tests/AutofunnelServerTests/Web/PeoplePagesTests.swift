import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The people-and-access pages: users, one user, the grants matrix, the audit log and the set-password link, for
/// every role; what an admin does on them reaches the same services as the API, and is audited.
@Suite("People and access pages")
struct PeoplePagesTests {
    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    /// The link a page shows once, from its `<code>` element.
    static func link(in page: String, id: String) -> String? {
        guard let start = page.range(of: #"<code id="\#(id)">"#), let end = page[start.upperBound...].range(of: "</code>") else { return nil }
        return String(page[start.upperBound..<end.lowerBound])
    }

    /// An action as a line of the audit table shows it.
    static func cell(_ action: String) -> String { #"<td class="audit-action">\#(action)</td>"# }

    static func token(of link: String) -> String? { link.components(separatedBy: "/welcome?token=").last }

    @Test func anAdminCreatesAUserWhoSetsAPasswordWithTheLinkOnce() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            let name = WebPageTests.payloads.joined(separator: " ")
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let list = try await web.get("/people")
                #expect(list.status == 200 && list.text.contains(#"id="people-form""#) && list.text.contains(#"id="nav-people""#))
                let created = try await web.post(
                    "/people", ["name": name, "email": "new@example.com", "role": "observer", "locale": "en"], from: "/people")
                #expect(created.status == 201)
                #expect(!created.text.contains("<script>alert(1)") && created.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                let link = try #require(Self.link(in: created.text, id: "people-link"))
                let secret = try #require(Self.token(of: link))
                #expect(!(try await web.get("/people")).text.contains(secret), "the link is shown once")
                let taken = try await web.post("/people", ["name": "x", "email": "new@example.com", "role": "manager"], from: "/people")
                #expect(taken.status == 409 && taken.text.contains(#"id="people-errors""#))

                let opened = try await api.request(.get, "/welcome?token=\(secret)")
                #expect(opened.status == 200 && opened.text.contains("new@example.com") && !opened.text.contains("<script>alert(1)"))
                // The user was created English-speaking: the page is in English and says so to the browser.
                #expect(opened.text.contains(#"<html lang="en">"#) && opened.text.contains("Choose a password"))
                let differ = try await api.request(
                    .post, "/welcome", raw: "token=\(secret)&password=Fine-Password-11&repeat=Other-Password-11", headers: Self.form)
                #expect(differ.status == 422 && differ.text.contains("welcome-errors"))
                let set = try await api.request(
                    .post, "/welcome", raw: "token=\(secret)&password=Fine-Password-11&repeat=Fine-Password-11", headers: Self.form)
                #expect(set.status == 303 && set.headers[.setCookie]?.hasPrefix("af_session=") == true)
                let again = try await api.request(
                    .post, "/welcome", raw: "token=\(secret)&password=Fine-Password-12&repeat=Fine-Password-12", headers: Self.form)
                #expect(again.status == 404)
                #expect(try await api.request(.get, "/welcome?token=\(secret)").status == 404)
                let signed = try await api.request(.post, "/api/v1/session", json: ["email": "new@example.com", "password": "Fine-Password-11"])
                #expect(signed.status == 200)
                let audit = try await web.get("/audit")
                for action in ["password_link_issued", "user_created", "password_changed"] {
                    #expect(audit.text.contains(Self.cell(action)), "the audit page shows \(action)")
                }
                #expect(!audit.text.contains("<script>alert(1)"))
            }
        }
    }

    @Test func eachRoleGetsWhatItMayOnEveryNewRoute() async throws {
        try await TestServices.with { t in
            var users: [Role: User] = [:]
            for role in Role.allCases { users[role] = try await t.user("\(role.rawValue)@people.test", role: role, password: WebSession.password) }
            let sessions = users
            // The admin resets this one's password on the way: not one of the users signing in.
            let target = try await t.user("target@people.test", role: .manager)
            let routes: [(method: String, path: String, form: [String: String])] = [
                ("GET", "/people", [:]), ("POST", "/people", ["name": "X", "email": "x@people.test", "role": "manager"]),
                ("GET", "/people/\(target.id.rawValue)", [:]), ("POST", "/people/\(target.id.rawValue)/reset", [:]),
                ("GET", "/grants", [:]), ("POST", "/grants", [:]), ("GET", "/audit", [:]), ("GET", "/audit.csv", [:]),
            ]
            try await t.withAPI(anonymous: true) { api in
                for role in Role.allCases {
                    let web = try await WebSession.signIn(api, email: sessions[role]!.email)
                    for route in routes {
                        let response = route.method == "GET" ? try await web.get(route.path) : try await web.post(route.path, route.form)
                        let expected: Set<Int> =
                            switch role {
                            case .admin: route.method == "GET" ? [200] : [200, 201, 303]
                            case .headOfSales: route.method == "GET" && route.path == "/people" ? [200] : [403]
                            default: [403]
                            }
                        #expect(expected.contains(response.status), "\(route.method) \(route.path) as \(role.rawValue): \(response.status)")
                    }
                    // A head of sales reads the team, without forms and without the admins.
                    if role == .headOfSales {
                        let team = try await web.get("/people")
                        #expect(!team.text.contains("<form id=\"people-form\"") && !team.text.contains("/people/\(target.id.rawValue)"))
                        #expect(team.text.contains(target.email) && !team.text.contains(sessions[.admin]!.email))
                    }
                }
                // Signed out, each page sends to sign in; the set-password page answers 404 for an unknown link.
                for route in routes where route.method == "GET" {
                    #expect([302, 303].contains(try await api.request(.get, route.path).status), "\(route.path) signed out")
                }
                #expect(try await api.request(.get, "/welcome?token=nothing").status == 404)
                #expect(try await api.request(.post, "/welcome", raw: "token=nothing&password=a&repeat=a", headers: Self.form).status == 404)
            }
        }
    }

    @Test func theGrantsMatrixSavesOnlyTheChangedCells() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            let seller = try await t.user("seller@example.com", role: .observer, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let page = try await web.get("/grants")
                let cell = "\(seller.id.rawValue).sales"
                #expect(page.status == 200 && page.text.contains(#"name="g.\#(cell)""#))
                // Meanwhile another admin grants the manager the pipeline through the API.
                _ = try await t.services.auth.setGrants(t.manager.id, [PipelineKey("sales"): .readAll], by: nil)
                let manager = "\(t.manager.id.rawValue).sales"
                let saved = try await web.post(
                    "/grants", ["g.\(cell)": "read_all", "o.\(cell)": "", "g.\(manager)": "", "o.\(manager)": ""], from: "/grants")
                #expect(saved.status == 303 && saved.headers[.location] == "/grants?saved=1")
                let grants = try await t.services.store.read { s in (try await s.grants(user: seller.id), try await s.grants(user: t.manager.id)) }
                #expect(grants.0 == [PipelineKey("sales"): .readAll])
                #expect(grants.1 == [PipelineKey("sales"): .readAll], "an unchanged cell does not overwrite a grant set meanwhile")
                let bad = try await web.post("/grants", ["g.\(cell)": "everything", "o.\(cell)": ""], from: "/grants")
                #expect(bad.status == 400)
                let unknown = try await web.post(
                    "/grants", ["g.\(seller.id.rawValue).nowhere": "own", "o.\(seller.id.rawValue).nowhere": ""], from: "/grants")
                #expect(unknown.status == 422)
                let audit = try await t.services.store.read { s in
                    try await s.audit(before: nil, limit: 10, AuditFilter(action: .grantsChanged, actor: admin.id)).items
                }
                #expect(audit.map(\.subject) == [seller.id] && audit.first?.detail == " → sales=read_all")
            }
        }
    }

    @Test func anAdminDisablesResetsRevokesAndDownloadsTheAudit() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            let seller = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            let token = try await t.token(for: seller, scope: .write)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let path = "/people/\(seller.id.rawValue)"
                let card = try await web.get(path)
                #expect(card.status == 200 && card.text.contains(#"id="person-disable""#) && card.text.contains("person-token-revoke"))
                #expect(try await web.post(path + "/disable", [:], from: path).status == 303)
                #expect(try await api.request(.get, "/api/v1/deals", headers: ["Authorization": "Bearer \(token)"]).status == 401)
                #expect(
                    try await api.request(.post, "/api/v1/session", json: ["email": seller.email, "password": WebSession.password]).status == 401)
                #expect(try await web.get(path).text.contains(#"id="person-enable""#))
                #expect(try await web.post(path + "/enable", [:], from: path).status == 303)
                #expect(try await web.post(path + "/role", ["role": "observer"], from: path).status == 303)
                #expect(try await t.services.store.read { s in try await s.user(seller.id) }.role == .observer)
                let reset = try await web.post(path + "/reset", [:], from: path)
                #expect(reset.status == 200 && Self.link(in: reset.text, id: "person-link") != nil)
                #expect(
                    try await api.request(.post, "/api/v1/session", json: ["email": seller.email, "password": WebSession.password]).status == 401)
                let tokenID = try await t.services.store.read { s in try await s.tokens(user: seller.id) }[0].id
                #expect(try await web.post(path + "/revoke", ["token": String(tokenID)], from: path).status == 303)
                #expect(try await t.services.store.read { s in try await s.tokens(user: seller.id) }[0].revokedAt != nil)
                #expect(try await web.post(path + "/revoke", ["token": "999"], from: path).status == 404)
                let forged = try await web.post(path + "/disable", [:], csrf: "0123")
                #expect(forged.status == 403)

                let csv = try await web.get("/audit.csv?action=user_disabled")
                #expect(csv.status == 200 && csv.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = csv.text.split(separator: "\r\n")
                #expect(lines.count == 2 && lines[1].contains("user_disabled") && lines[1].contains(seller.email))
                let byActor = try await web.get("/audit?actor=\(admin.id.rawValue)")
                #expect(byActor.text.contains(Self.cell("token_revoked")) && byActor.text.contains(Self.cell("role_changed")))
                #expect(!byActor.text.contains(Self.cell("user_created")), "the seller was created by no one, not by the admin")
                #expect(try await web.get("/audit?from=2020-13-01").status == 400)
                #expect(try await web.get("/audit?action=nothing").status == 400)
            }
        }
    }

    @Test func theAPIIssuesALinkAndListsAUsersTokens() async throws {
        try await TestServices.with { t in
            let seller = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            _ = try await t.token(for: seller, scope: .read)
            try await t.withAPI { api in
                let tokens = try await api.request(.get, "/api/v1/users/\(seller.id.rawValue)/tokens")
                #expect(tokens.status == 200 && (tokens.object["items"] as? [[String: Any]])?.count == 1)
                #expect(try await api.request(.get, "/api/v1/users/9999/tokens").status == 404)
                let link = try await api.request(.post, "/api/v1/users/\(seller.id.rawValue)/password-link", json: ["reset": true])
                #expect(link.status == 201)
                let path = try #require(link.object["path"] as? String)
                #expect(
                    try await api.request(.post, "/api/v1/session", json: ["email": seller.email, "password": WebSession.password]).status == 401)
                let secret = try #require(Self.token(of: path))
                let set = try await api.request(
                    .post, "/welcome", raw: "token=\(secret)&password=Fine-Password-11&repeat=Fine-Password-11", headers: Self.form)
                #expect(set.status == 303)
            }
        }
    }
}

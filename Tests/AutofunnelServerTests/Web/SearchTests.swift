import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The search box and `GET /api/v1/search`: what each role finds, grouped by kind, and the query as text.
@Suite("Search") struct SearchTests {
    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    /// A manager's deal and the head's deal, a contact with a formatted phone, a company with a tax id.
    func world(_ t: TestServices) async throws -> (mine: Deal, other: Deal, contact: Contact) {
        let contact = try await t.services.parties.createContact(
            .init(name: "Олег Ёлкин", phones: ["+7 (916) 123-45-67"], emails: ["oleg@example.com"]))
        // A `tax_id` company field, as an installation that declares one stores it.
        _ = try await t.services.store.write { s in
            try await s.insertCompany(Company(id: CompanyID(0), name: "Ёлка и Ко", fields: ["tax_id": .string("7707083893")], createdAt: Fixtures.t0))
        }
        let mine = try await t.services.deals.create(
            pipeline: "sales", stage: nil, input: DealInput(title: "Ёлки для офиса", responsible: t.manager.id), actor: Actor(kind: .api))
        let other = try await t.services.deals.create(
            pipeline: "sales", stage: nil, input: DealInput(title: "Ёлки и игрушки", responsible: t.head.id), actor: Actor(kind: .api))
        return (mine, other, contact)
    }

    @Test(arguments: StoreTarget.available)
    func eachRoleFindsWhatItMaySee(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (mine, other, contact) = try await world(t)
            let observer = try await t.user("observer@example.com", role: .observer)
            _ = try await t.services.auth.setGrants(observer.id, ["sales": .readAll], by: nil)
            let observerToken = try await t.token(for: observer)
            let managerToken = try await t.token(for: t.manager)
            try await t.withAPI { api in
                let all = try await api.request(.get, "/api/v1/search?q=" + Self.encode("ЕЛК"))
                #expect(all.status == 200)
                let deals = (all.object["deals"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                #expect(deals == [Int(other.id.rawValue), Int(mine.id.rawValue)])
                #expect((all.object["contacts"] as? [[String: Any]])?.first?["id"] as? Int == Int(contact.id.rawValue))
                #expect((all.object["companies"] as? [[String: Any]])?.count == 1)
                #expect(all.object["moreDeals"] as? Bool == false)
                // A phone typed another way finds the contact.
                let phone = try await api.request(.get, "/api/v1/search?q=" + Self.encode("8 916 123 45 67"))
                #expect((phone.object["contacts"] as? [[String: Any]])?.count == 1)
                let limited = try await api.request(.get, "/api/v1/search?limit=1&q=" + Self.encode("елк"))
                #expect((limited.object["deals"] as? [Any])?.count == 1 && limited.object["moreDeals"] as? Bool == true)

                // A manager finds their own deals only.
                let manager = try await api.with(token: managerToken).request(.get, "/api/v1/search?q=" + Self.encode("елк"))
                #expect((manager.object["deals"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(mine.id.rawValue)])
                // An observer, who may not see phones, does not find a contact by one, nor sees its phones.
                let observed = api.with(token: observerToken)
                let byPhone = try await observed.request(.get, "/api/v1/search?q=9161234567")
                #expect((byPhone.object["contacts"] as? [Any])?.isEmpty == true)
                let byName = try await observed.request(.get, "/api/v1/search?q=" + Self.encode("олег"))
                let found = try #require((byName.object["contacts"] as? [[String: Any]])?.first)
                #expect(found["phones"] == nil && found["name"] as? String == "Олег Ёлкин")

                // Bounds: the query's length and the limit.
                #expect(try await api.request(.get, "/api/v1/search?q=" + String(repeating: "a", count: 201)).status == 400)
                #expect(try await api.request(.get, "/api/v1/search?q=").status == 400)
                #expect(try await api.request(.get, "/api/v1/search?q=abc&limit=51").status == 400)
                #expect(try await api.request(.get, "/api/v1/search").status == 400)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func thePageGroupsResultsByKindAndShowsTheQueryAsText(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (mine, _, contact) = try await world(t)
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            _ = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: WebPageTests.payloads.joined(separator: " "), responsible: me.id),
                actor: Actor(kind: .api))
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let page = try await web.get("/search?q=" + Self.encode("ёлк"))
                #expect(page.status == 200)
                let deals = try #require(page.text.components(separatedBy: #"id="search-deals""#).dropFirst().first)
                #expect(deals.contains(#"href="/deals/\#(mine.id)""#))
                let contacts = try #require(page.text.components(separatedBy: #"id="search-contacts""#).dropFirst().first)
                let phone = try #require(contact.phones.first)
                #expect(contacts.contains(#"href="/contacts/\#(contact.id)""#) && contacts.contains(phone))
                #expect(page.text.contains(#"id="search-companies""#) && page.text.contains("7707083893"))
                // The box is in the navigation of every page.
                #expect(try await web.get("/tasks").text.contains(#"id="nav-search""#))
                for payload in WebPageTests.payloads {
                    let text = try await web.get("/search?q=" + Self.encode(payload)).text
                    #expect(!text.contains("<script>alert") && !text.contains("<img src=x"), "\(payload)")
                    #expect(!text.contains(">49<"))
                }
                let found = try await web.get("/search?q=" + Self.encode("<script>alert(1)</script>")).text
                #expect(found.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img"))
                let nothing = try await web.get("/search?q=" + Self.encode("нет такого")).text
                #expect(nothing.contains(#"id="search-nothing""#))
            }
        }
    }
}

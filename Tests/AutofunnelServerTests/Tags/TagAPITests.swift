import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Tags through the API: put on and taken off deals, contacts and companies by those who may change them, shown on
/// every record, filtering the lists, listed for autocompletion, bounded.
@Suite("Tags in the API")
struct TagAPITests {
    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    static func tags(_ r: APIResponse) -> [String] { r.object["tags"] as? [String] ?? [] }

    @Test(arguments: StoreTarget.available)
    func tagsArePutOnShownFilteredAndTakenOff(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: t.manager.id), actor: Actor(kind: .api))
            let other = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Стол"), actor: Actor(kind: .api))
            try await t.withAPI { api in
                let added = try await api.request(.post, "/api/v1/deals/\(deal.id)/tags", json: ["tags": ["Ёлка VIP", " выставка ", "ёлка vip"]])
                #expect(added.status == 200 && Self.tags(added) == ["Ёлка VIP", "выставка"])
                // Shown on the record and in lists; the list filters by tag, whatever its case.
                #expect(Self.tags(try await api.request(.get, "/api/v1/deals/\(deal.id)")) == ["Ёлка VIP", "выставка"])
                let listed = try await api.request(.get, "/api/v1/deals?tag=" + Self.encode("ЕЛКА VIP"))
                #expect((listed.object["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(deal.id.rawValue)])
                let all = try await api.request(.get, "/api/v1/deals")
                let untagged = (all.object["items"] as? [[String: Any]])?.first { $0["id"] as? Int == Int(other.id.rawValue) }
                #expect(untagged?["tags"] as? [String] == [])

                let contactTags = try await api.request(.post, "/api/v1/contacts/\(contact.id)/tags", json: ["tags": ["VIP"]])
                #expect(Self.tags(contactTags) == ["VIP"])
                #expect(Self.tags(try await api.request(.get, "/api/v1/contacts/\(contact.id)")) == ["VIP"])
                let contacts = try await api.request(.get, "/api/v1/contacts?tag=vip")
                #expect((contacts.object["items"] as? [[String: Any]])?.count == 1)
                let company = try await t.services.parties.createCompany(name: "Acme", fields: nil)
                #expect(Self.tags(try await api.request(.post, "/api/v1/companies/\(company.id)/tags", json: ["tags": ["Партнёр"]])) == ["Партнёр"])
                #expect((try await api.request(.get, "/api/v1/companies?tag=" + Self.encode("партнер")).object["items"] as? [Any])?.count == 1)

                // The search finds the tagged records; the tags in use are listed for autocompletion.
                let found = try await api.request(.get, "/api/v1/search?q=vip")
                #expect((found.object["contacts"] as? [[String: Any]])?.first?["tags"] as? [String] == ["VIP"])
                let used = try await api.request(.get, "/api/v1/tags?kind=deal&prefix=" + Self.encode("ел"))
                #expect((used.object["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Ёлка VIP"])

                let removed = try await api.request(.delete, "/api/v1/deals/\(deal.id)/tags/" + Self.encode("ЁЛКА vip"))
                #expect(removed.status == 200 && Self.tags(removed) == ["выставка"])
                // Taking off a tag the deal does not carry changes nothing.
                #expect(Self.tags(try await api.request(.delete, "/api/v1/deals/\(deal.id)/tags/nothing")) == ["выставка"])
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func badTagsAndTooManyAreRefusedWithA4xx(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: Actor(kind: .api))
            try await t.withAPI { api in
                let path = "/api/v1/deals/\(deal.id)/tags"
                #expect(try await api.request(.post, path, json: ["tags": [String(repeating: "я", count: 51)]]).status == 422)
                #expect(try await api.request(.post, path, json: ["tags": ["a,b"]]).status == 422)
                #expect(try await api.request(.post, path, json: ["tags": ["   "]]).status == 422)
                #expect(try await api.request(.post, path, json: ["tags": [String]()]).status == 400)
                #expect(try await api.request(.post, path, json: ["tags": (1...51).map { "t\($0)" }]).status == 400)
                #expect(try await api.request(.post, path, json: ["tags": (1...50).map { "t\($0)" }]).status == 200)
                // The 51st tag on the record is refused, and nothing of that request is kept.
                let refused = try await api.request(.post, path, json: ["tags": ["t1", "one more"]])
                #expect(refused.status == 422 && refused.text.contains("at most 50 tags"))
                #expect(Self.tags(try await api.request(.get, "/api/v1/deals/\(deal.id)")).count == 50)
                #expect(try await api.request(.get, "/api/v1/deals?tag=" + String(repeating: "x", count: 51)).status == 400)
                #expect(try await api.request(.get, "/api/v1/tags?limit=201").status == 400)
                #expect(try await api.request(.post, "/api/v1/deals/999999/tags", json: ["tags": ["x"]]).status == 404)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func tagsFollowTheRecordsAccess(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let mine = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Мой", responsible: t.manager.id), actor: Actor(kind: .api))
            let theirs = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Чужой", responsible: t.head.id), actor: Actor(kind: .api))
            let observer = try await t.user("observer@example.com", role: .observer)
            _ = try await t.services.auth.setGrants(observer.id, ["sales": .readAll], by: nil)
            let (managerToken, observerToken) = (try await t.token(for: t.manager), try await t.token(for: observer))
            let contact = try await t.contact()
            try await t.withAPI { api in
                let manager = api.with(token: managerToken)
                let own = try await manager.request(.post, "/api/v1/deals/\(mine.id)/tags", json: ["tags": ["x"]])
                #expect(own.status == 200)
                // A deal the manager may not see answers as one that does not exist.
                let hidden = try await manager.request(.post, "/api/v1/deals/\(theirs.id)/tags", json: ["tags": ["x"]])
                #expect(hidden.status == 404)
                // The tags in use name only those of deals the caller may see.
                #expect(try await api.request(.post, "/api/v1/deals/\(theirs.id)/tags", json: ["tags": ["Секрет"]]).status == 200)
                let used = try await manager.request(.get, "/api/v1/tags?kind=deal")
                #expect((used.object["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["x"])
                let observed = api.with(token: observerToken)
                let added = try await observed.request(.post, "/api/v1/deals/\(mine.id)/tags", json: ["tags": ["y"]])
                let removed = try await observed.request(.delete, "/api/v1/deals/\(mine.id)/tags/x")
                let onContact = try await observed.request(.post, "/api/v1/contacts/\(contact.id)/tags", json: ["tags": ["y"]])
                #expect(added.status == 403 && removed.status == 403 && onContact.status == 403)
                let seen = try await observed.request(.get, "/api/v1/deals/\(mine.id)")
                #expect(Self.tags(seen) == ["x"])
            }
        }
    }
}

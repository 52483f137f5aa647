import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Tags on the pages (the cards' forms, the lists' bulk form, the filters), in rules (`add_tag`, `remove_tag`,
/// `has_tag`) and in the amoCRM dialect.
@Suite("Tags on pages, in rules and dialects")
struct TagPagesAndRulesTests {
    let api = Actor(kind: .api)

    @Test(arguments: StoreTarget.available)
    func cardsAndBulkFormsTagAndTheFiltersFindThem(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: me.id), actor: api)
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Стол", responsible: me.id), actor: api)
            let anna = try await t.services.parties.createContact(.init(name: "Анна"))
            let boris = try await t.services.parties.createContact(.init(name: "Борис"))
            _ = try await t.services.parties.createContact(.init(name: "Вера"))
            let payload = WebPageTests.payloads[1]
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let added = try await web.post("/deals/\(deal.id)/tags", ["add": "Горячий, " + payload], from: "/deals/\(deal.id)")
                #expect(added.status == 303 || added.status == 302)
                let card = try await web.get("/deals/\(deal.id)").text
                #expect(card.contains(#"data-tag="Горячий""#) && card.contains(#"href="/board/sales?tag=%D0%93"#))
                // The payload is text on the page, never markup.
                #expect(!card.contains(payload) && card.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
                let board = try await web.get("/board/sales?tag=" + TagAPITests.encode("горячий")).text
                #expect(board.contains("Шкаф") && !board.contains("Стол"))
                _ = try await web.post("/deals/\(deal.id)/tags", ["remove": "ГОРЯЧИЙ"], from: "/deals/\(deal.id)")
                let untagged = try await web.get("/deals/\(deal.id)").text
                #expect(!untagged.contains(#"data-tag="Горячий""#))
                // Both changes are in the card's timeline, with who made them.
                let entries = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }.filter { $0.field == "tags" }
                #expect(entries.count == 2 && entries.allSatisfy { $0.actor?.userID == me.id })
                #expect(entries.first?.old == nil && Set(entries.first?.new?.components(separatedBy: ", ") ?? []) == ["Горячий", payload])
                #expect(entries.last?.new == payload)
                let escaped = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
                #expect(untagged.contains("Теги: — → ") && untagged.contains("→ \(escaped)</"), "\(untagged)")

                // The list's bulk form tags the checked contacts; the filter then lists them.
                let bulk = try await web.post(
                    "/contacts/tags", ["tag": "Выставка", "op": "add", "select_\(anna.id)": "1", "select_\(boris.id)": "1", "back": "/contacts?q="],
                    from: "/contacts")
                #expect(bulk.status == 303 || bulk.status == 302)
                let filtered = try await web.get("/contacts?tag=" + TagAPITests.encode("выставка")).text
                #expect(PartyPagesTests.names(filtered) == ["Анна", "Борис"])
                _ = try await web.post("/contacts/tags", ["tag": "выставка", "op": "remove", "select_\(anna.id)": "1"], from: "/contacts")
                #expect(PartyPagesTests.names(try await web.get("/contacts?tag=" + TagAPITests.encode("Выставка")).text) == ["Борис"])
                // Nothing checked, or a tag too long: the list again with the reason, nothing changed.
                #expect(try await web.post("/contacts/tags", ["tag": "x", "op": "add"], from: "/contacts").status == 422)
                let long = try await web.post(
                    "/contacts/tags", ["tag": String(repeating: "я", count: 51), "op": "add", "select_\(anna.id)": "1"], from: "/contacts")
                #expect(long.status == 422)
                // A contact's card tags it too.
                _ = try await web.post("/contacts/\(anna.id)/tags", ["add": "VIP"], from: "/contacts/\(anna.id)")
                #expect(try await web.get("/contacts/\(anna.id)").text.contains(#"data-tag="VIP""#))
                // A forged form changes nothing.
                #expect(try await web.post("/contacts/tags", ["tag": "x", "select_\(anna.id)": "1"], csrf: "0123").status == 403)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func rulesPutOnTakeOffAndTestTagsOnce(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let rules = [
                AutomationSpec(key: "heat", trigger: .init(on: "stage_entered", stage: "s1"), actions: [.init(do: "add_tag", tag: "Горячий")]),
                AutomationSpec(
                    key: "hot_goes_on", trigger: .init(on: "stage_entered", stage: "s2"), when: [.init(hasTag: "горячий")],
                    actions: [.init(do: "move", stage: "s3")]),
                AutomationSpec(key: "cool", trigger: .init(on: "stage_entered", stage: "s3"), actions: [.init(do: "remove_tag", tag: "ГОРЯЧИЙ")]),
            ]
            _ = try await t.services.pipelines.apply(AutomationRunnerTests.chain(4, rules: rules))
            let deal = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "x"), actor: api)
            func tags() async throws -> [String] {
                try await t.services.store.read { s in try await s.tags(.deal, of: deal.id.rawValue) }.map(\.name)
            }
            _ = try await t.services.deals.move(deal.id, to: "s1", actor: api)
            _ = try await t.services.deals.move(deal.id, to: "s0", actor: api)
            _ = try await t.services.deals.move(deal.id, to: "s1", actor: api)
            // Entering twice applies the action twice: the deal still carries the tag once, and the timeline tells
            // of one change.
            #expect(try await tags() == ["Горячий"])
            let tagged = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }.filter { $0.field == "tags" }
            #expect(tagged.map(\.new) == ["Горячий"] && tagged.first?.actor?.kind == .automation)
            _ = try await t.services.deals.move(deal.id, to: "s2", actor: api)
            let now = try await t.services.store.read { s in try await s.deal(deal.id) }
            #expect(now.stage == "s3", "the tagged deal goes on by the has_tag rule")
            #expect(try await tags().isEmpty)
            let changes = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }.filter { $0.field == "tags" }
            #expect(changes.map(\.old) == [nil, "Горячий"] && changes.map(\.new) == ["Горячий", nil])
            // A deal without the tag stays.
            let plain = try await t.services.deals.create(pipeline: "chain", stage: nil, input: DealInput(title: "y"), actor: api)
            _ = try await t.services.deals.move(plain.id, to: "s2", actor: api)
            #expect(try await t.services.store.read { s in try await s.deal(plain.id) }.stage == "s2")
        }
    }

    @Test func aRuleWithoutATagOrWithABadOneIsRefused() async throws {
        try await TestServices.with { t in
            let rules = [
                AutomationSpec(key: "a", trigger: .init(on: "deal_created"), actions: [.init(do: "add_tag")]),
                AutomationSpec(
                    key: "b", trigger: .init(on: "deal_created"), when: [.init(hasTag: "a,b")], actions: [.init(do: "remove_tag", tag: "ok")]),
            ]
            do {
                _ = try await t.services.pipelines.apply(AutomationRunnerTests.chain(2, rules: rules))
                Issue.record("the definition was accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains("actions[0].tag") && text.contains("when[0].has_tag"), "\(text)")
            }
        }
    }

    @Test func amoCRMLeadsAndContactsCarryTagsUnderEmbedded() async throws {
        try await AmoCRMTests().withAmo { _, api, _ in
            let created = try await api.request(
                .post, "/api/v4/leads", json: [["name": "Шкаф", "_embedded": ["tags": [["name": "Выставка"], ["name": "VIP"]]]]])
            #expect(created.status == 200)
            let id = try #require(AmoCRMTests.embedded(created, "leads").first?["id"] as? Int)
            func leadTags() async throws -> [String] {
                let got = try await api.request(.get, "/api/v4/leads/\(id)")
                return ((got.object["_embedded"] as? [String: Any])?["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            // Tags put on together are listed by name.
            #expect(try await leadTags() == ["VIP", "Выставка"])
            let list = try await api.request(.get, "/api/v4/leads/tags")
            let listed = AmoCRMTests.embedded(list, "tags")
            #expect(Set(listed.compactMap { $0["name"] as? String }) == ["Выставка", "VIP"])
            let vipID = try #require(listed.first { $0["name"] as? String == "VIP" }?["id"] as? Int)
            // `_embedded.tags` replaces the list; a tag can be named by its id.
            _ = try await api.request(.patch, "/api/v4/leads/\(id)", json: ["_embedded": ["tags": [["id": vipID], ["name": "Повтор"]]]])
            #expect(try await leadTags() == ["VIP", "Повтор"])
            _ = try await api.request(
                .patch, "/api/v4/leads", json: [["id": id, "tags_to_delete": [["name": "vip"]], "tags_to_add": [["name": "Новый"]]]])
            #expect(try await leadTags() == ["Повтор", "Новый"])
            let bad = try await api.request(.patch, "/api/v4/leads/\(id)", json: ["_embedded": ["tags": [["id": 1]]]])
            #expect(bad.status == 400)

            let contact = try await api.request(.post, "/api/v4/contacts", json: [["name": "Анна", "_embedded": ["tags": [["name": "Клиент"]]]]])
            let contactID = try #require(AmoCRMTests.embedded(contact, "contacts").first?["id"] as? Int)
            let got = try await api.request(.get, "/api/v4/contacts/\(contactID)")
            #expect(((got.object["_embedded"] as? [String: Any])?["tags"] as? [[String: Any]])?.first?["name"] as? String == "Клиент")
        }
    }
}

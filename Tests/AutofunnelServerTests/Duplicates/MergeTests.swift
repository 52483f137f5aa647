import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Point 3 of issue 19: merging two contacts (or companies) moves deals, tasks, notes and timeline to the kept one in
/// one transaction, records the merge in both timelines and the audit log, and keeps the merged id answering.
@Suite("Merging contacts and companies")
struct MergeTests {
    let api = Actor(kind: .api)

    @Test(arguments: StoreTarget.available)
    func mergingContactsMovesDealsTasksNotesAndTimelineAndKeepsTheOldIdAnswering(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let kept = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"], emails: ["anna@example.com"]))
            let merged = try await t.services.parties.createContact(
                .init(name: "Анна Петровна", phones: ["8 912 345 67 89", "+7 900 000-00-02"], fields: ["segment": .string("retail")]))
            let own = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Старая", contact: kept.id), actor: api)
            let moved = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Новая", contact: merged.id), actor: api)
            let task = try await t.services.deals.createTask(
                deal: moved.id, title: "Позвонить", text: nil, dueAt: Fixtures.t0, assignee: t.manager.id, principal: nil)
            _ = try await t.services.deals.addNote(deal: moved.id, text: "Просила КП", actor: api, principal: nil)
            let ownNote = try await t.services.store.write { s in
                try await s.insertNote(.contact(merged.id), text: "Звонить после 18:00", author: nil, at: Fixtures.t0)
            }
            try await t.services.store.write { s in
                _ = try await s.addTags([Tag(stored: "VIP", key: "vip")], to: .contact, id: merged.id.rawValue, at: Fixtures.t0)
            }
            try await t.withAPI { client in
                let answer = try await client.request(
                    .post, "/api/v1/contacts/\(kept.id)/merge", json: ["from": Int(merged.id.rawValue), "fields": ["name": "merged"]])
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.object["id"] as? Int == Int(kept.id.rawValue))
                #expect(answer.object["name"] as? String == "Анна Петровна")
                #expect(answer.object["phones"] as? [String] == ["+79123456789", "+79000000002"], "phones default to both, without repeats")
                let old = try await client.request(.get, "/api/v1/contacts/\(merged.id)")
                #expect(old.status == 200 && old.object["id"] as? Int == Int(kept.id.rawValue), "the merged id answers the kept contact")
                let again = try await client.request(.post, "/api/v1/contacts/\(kept.id)/merge", json: ["from": Int(kept.id.rawValue)])
                #expect(again.status == 422, "a contact is not merged with itself")
                let gone = try await client.request(.post, "/api/v1/contacts/\(kept.id)/merge", json: ["from": Int(merged.id.rawValue)])
                #expect(gone.status == 404, "the merged contact is gone")
                let audit = try await client.request(.get, "/api/v1/audit?action=records_merged")
                #expect((audit.object["items"] as? [[String: Any]])?.count == 1, "\(audit.text)")
            }
            try await t.services.store.read { s in
                let deal = try await s.deal(moved.id)
                #expect(deal.contact == kept.id, "the deal moved")
                #expect(try await s.deal(own.id).contact == kept.id)
                #expect(try await s.tasks(TaskFilter(deal: moved.id)).map(\.id) == [task.id], "its task went with it")
                #expect(try await s.notes(deal: moved.id).map(\.text) == ["Просила КП"])
                #expect(try await s.notes(of: .contact(kept.id)).map(\.id) == [ownNote.id], "the contact's own note moved too")
                for id in [own.id, moved.id] {
                    let entries = try await s.timeline(deal: id).filter { $0.kind == "merge" }
                    #expect(entries.count == 1 && entries[0].text?.contains("\(merged.id)") == true, "both timelines record it")
                }
                let contact = try await s.contact(kept.id)
                #expect(contact.fields["segment"] == .string("retail"), "an empty field takes the other's value")
                #expect(contact.emails == ["anna@example.com"])
                #expect(try await s.tags(.contact, of: kept.id.rawValue).map(\.key) == ["vip"])
                #expect(try await s.contact(resolving: merged.id).id == kept.id)
                #expect(try await s.mergedInto(.contacts, id: merged.id.rawValue) == kept.id.rawValue)
                #expect(try await DuplicateMatcher.contacts(phones: ["+7 900 000-00-02"], emails: [], s).map(\.id) == [kept.id], "the index follows")
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func aChainOfMergesResolvesToTheLastKept(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let p = t.services.parties
            let a = try await p.createContact(.init(name: "A"))
            let b = try await p.createContact(.init(name: "B"))
            let c = try await p.createContact(.init(name: "C"))
            _ = try await p.mergeContacts(into: b.id, from: a.id, picks: [:], caller: nil)
            _ = try await p.mergeContacts(into: c.id, from: b.id, picks: [:], caller: nil)
            let resolved = try await t.services.store.read { s in [try await s.contact(resolving: a.id).id, try await s.contact(resolving: b.id).id] }
            #expect(resolved == [c.id, c.id])
        }
    }

    @Test(arguments: StoreTarget.available)
    func mergingCompaniesMovesTheirContactsAndDeals(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let p = t.services.parties
            let kept = try await p.createCompany(name: "ООО Ромашка", fields: nil)
            let merged = try await p.createCompany(name: "Ромашка ООО", fields: nil)
            let person = try await p.createContact(.init(name: "Вера", company: merged.id.rawValue))
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Поставка", company: merged.id), actor: api)
            try await t.withAPI { client in
                let answer = try await client.request(.post, "/api/v1/companies/\(kept.id)/merge", json: ["from": Int(merged.id.rawValue)])
                #expect(answer.status == 200 && answer.object["name"] as? String == "ООО Ромашка", "\(answer.text)")
                let old = try await client.request(.get, "/api/v1/companies/\(merged.id)")
                #expect(old.object["id"] as? Int == Int(kept.id.rawValue))
            }
            let (contact, moved) = try await t.services.store.read { s in (try await s.contact(person.id), try await s.deal(deal.id)) }
            #expect(contact.company == kept.id && moved.company == kept.id)
        }
    }

    @Test func onlyAdminsAndHeadsOfSalesMergeAndOnlyFieldsTheyMayChange() async throws {
        try await TestServices.with { t in
            let a = try await t.services.parties.createContact(.init(name: "A", phones: ["+7 900 000-00-03"]))
            let b = try await t.services.parties.createContact(.init(name: "B", phones: ["+7 900 000-00-04"]))
            let manager = try await t.token(for: t.manager, scope: .write)
            let head = try await t.token(for: t.head, scope: .write)
            try await t.withAPI(anonymous: true) { client in
                let refused = try await client.with(token: manager).request(
                    .post, "/api/v1/contacts/\(a.id)/merge", json: ["from": Int(b.id.rawValue)])
                #expect(refused.status == 403)
                let unknown = try await client.with(token: head).request(
                    .post, "/api/v1/contacts/\(a.id)/merge", json: ["from": Int(b.id.rawValue), "fields": ["nonsense": "merged"]])
                #expect(unknown.status == 422, "\(unknown.text)")
                let both = try await client.with(token: head).request(
                    .post, "/api/v1/contacts/\(a.id)/merge", json: ["from": Int(b.id.rawValue), "fields": ["name": "both"]])
                #expect(both.status == 422)
                let done = try await client.with(token: head).request(.post, "/api/v1/contacts/\(a.id)/merge", json: ["from": Int(b.id.rawValue)])
                #expect(done.status == 200, "\(done.text)")
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theDialectsResolveAMergedId(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let kept = try await t.services.parties.createContact(.init(name: "Анна"))
            let merged = try await t.services.parties.createContact(.init(name: "Анна П."))
            _ = try await t.services.parties.mergeContacts(into: kept.id, from: merged.id, picks: [:], caller: nil)
            let token = try await t.token(for: t.admin)
            let jwt = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "amo", scope: .admin, days: 30, by: nil).secret
            try await t.withAPI(anonymous: true) { api in
                let amo = try await api.with(token: jwt).request(.get, "/api/v4/contacts/\(merged.id)")
                #expect(amo.status == 200 && amo.object["id"] as? Int == Int(kept.id.rawValue), "\(amo.text)")
                let b24 = try await api.request(.get, "/rest/\(t.admin.id)/\(token)/crm.contact.get?id=\(merged.id)")
                #expect((b24.object["result"] as? [String: Any])?["ID"] as? String == kept.id.description, "\(b24.text)")
            }
        }
    }
}

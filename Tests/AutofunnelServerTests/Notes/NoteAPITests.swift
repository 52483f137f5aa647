import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Notes through the API: on contacts and companies as on deals, changed by PATCH under the 15-minute rule (403 for
/// someone else's note, 409 when late, 422 when too long), each refusal problem+json.
@Suite("Notes in the API")
struct NoteAPITests {
    @Test(arguments: StoreTarget.available)
    func notesAreWrittenListedPinnedAndGuarded(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let company = try await t.services.parties.createCompany(name: "Acme", fields: nil)
            let managerToken = try await t.token(for: t.manager)
            try await t.withAPI { api in
                let manager = api.with(token: managerToken)
                let created = try await manager.request(.post, "/api/v1/contacts/\(contact.id)/notes", json: ["text": "Любит звонки @head"])
                #expect(created.status == 201 && created.object["contactId"] as? Int == Int(contact.id.rawValue))
                #expect(created.object["pinned"] as? Bool == false && created.object["dealId"] == nil)
                let id = try #require(created.object["id"] as? Int)
                let onCompany = try await manager.request(.post, "/api/v1/companies/\(company.id)/notes", json: ["text": "Оплата с отсрочкой"])
                #expect(onCompany.status == 201 && onCompany.object["companyId"] as? Int == Int(company.id.rawValue))

                // The admin pins it; changing its text is its author's alone.
                let pinned = try await api.request(.patch, "/api/v1/notes/\(id)", json: ["pinned": true])
                #expect(pinned.status == 200 && pinned.object["pinned"] as? Bool == true)
                let theirs = try await api.request(.patch, "/api/v1/notes/\(id)", json: ["text": "Чужая правка"])
                #expect(theirs.status == 403 && theirs.contentType == "application/problem+json")
                let own = try await manager.request(.patch, "/api/v1/notes/\(id)", json: ["text": "Любит звонки после 10"])
                #expect(own.status == 200 && own.object["editedAt"] is String)
                let tooLong = try await manager.request(.patch, "/api/v1/notes/\(id)", json: ["text": String(repeating: "я", count: 20_001)])
                #expect(tooLong.status == 422)
                let tooLongNew = try await manager.request(
                    .post, "/api/v1/contacts/\(contact.id)/notes", json: ["text": String(repeating: "я", count: 20_001)])
                #expect(tooLongNew.status == 422)
                t.clock.advance(millis: 15 * 60_000 + 1)
                let late = try await manager.request(.patch, "/api/v1/notes/\(id)", json: ["text": "Поздно"])
                #expect(late.status == 409 && late.contentType == "application/problem+json")

                let listed = try await manager.request(.get, "/api/v1/contacts/\(contact.id)/notes")
                let items = listed.object["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["text"] as? String } == ["Любит звонки после 10"])
                #expect(try await api.request(.get, "/api/v1/contacts/999999/notes").status == 404)
                #expect(try await api.request(.patch, "/api/v1/notes/999999", json: ["pinned": true]).status == 404)
                #expect(try await api.request(.patch, "/api/v1/notes/\(id)", json: ["colour": "red"]).status == 400)
            }
            let notices = try await t.services.store.read { s in try await s.notices(user: t.head.id, unreadOnly: true) }
            #expect(notices.map(\.kind) == ["mentioned"])
        }
    }
}

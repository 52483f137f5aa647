import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Deleting a contact or company that an open deal uses is refused: the deal could not move any more (issue 16,
/// point 7). Closed deals keep their link, their card still reads, and a reopen lets go of the deleted contact.
@Suite("Deleting contacts and companies that deals use")
struct PartyDeletionTests {
    let api = Actor(kind: .api)

    /// The conflict's message, or nil when `body` did not answer 409.
    func conflict(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
        } catch AppError.conflict(let message) {
            return message
        } catch {
            Issue.record("expected a conflict, got \(error)")
        }
        return nil
    }

    @Test(arguments: StoreTarget.available)
    func aContactOfAnOpenDealIsNotDeleted(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
            let message = await conflict { try await t.services.parties.delete(.contacts, id: contact.id.rawValue) }
            #expect(message == "The contact \(contact.id) is used by open deal \(deal.id): close the deal or link it to another contact first")
            _ = try await t.services.store.read { s in try await s.contact(contact.id) }
            let moved = try await t.services.deals.move(deal.id, to: "processing_request", actor: api)
            #expect(moved.stage == "processing_request" && moved.contact == contact.id)
        }
    }

    @Test(arguments: StoreTarget.available)
    func aCompanyOfAnOpenDealIsNotDeleted(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let company = try await t.services.parties.createCompany(name: "ООО Мебель", fields: nil)
            var input = DealInput(title: "Шкаф", company: company.id)
            let first = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            input.title = "Стол"
            let second = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            let message = await conflict { try await t.services.parties.delete(.companies, id: company.id.rawValue) }
            #expect(message?.contains("open deals \(first.id), \(second.id):") == true, "\(message ?? "")")
            _ = try await t.services.deals.close(first.id, won: false, reason: "spam", comment: nil, actor: api)
            _ = try await t.services.deals.close(second.id, won: false, reason: "spam", comment: nil, actor: api)
            try await t.services.parties.delete(.companies, id: company.id.rawValue)
            let card = try await t.services.store.read { s in try await s.dealSnapshot(first.id) }
            #expect(card.deal.company == company.id && card.company?.name == "ООО Мебель")
        }
    }

    @Test(arguments: StoreTarget.available)
    func aClosedDealKeepsItsDeletedContactUntilItReopens(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
            _ = try await t.services.deals.close(deal.id, won: false, reason: "too_expensive", comment: "Дорого", actor: api)
            try await t.services.parties.delete(.contacts, id: contact.id.rawValue)
            // The closed deal's card and history still read, with the contact it had.
            let card = try await t.services.store.read { s in try await s.dealSnapshot(deal.id) }
            #expect(card.deal.contact == contact.id && card.contact?.name == "Анна")
            await #expect(throws: AppError.self) {
                try await t.services.deals.update(deal.id, input: DealInput(contact: contact.id), actor: api)
            }
            // Reopened, it is an open deal: it lets go of the deleted contact, and the timeline says so.
            let reopened = try await t.services.deals.reopen(deal.id, reason: "Клиент вернулся", stage: nil, actor: api)
            #expect(reopened.status == .open && reopened.contact == nil)
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }
            #expect(timeline.contains { $0.field == "contact" && $0.old == contact.id.description && $0.new == nil })
            let another = try await t.contact(name: "Борис", phone: "+7 912 000-00-01")
            let moved = try await t.services.deals.move(
                deal.id, to: "processing_request", input: DealInput(contact: another.id), actor: api)
            #expect(moved.stage == "processing_request" && moved.contact == another.id)
        }
    }

    /// Linking a contact and deleting it race: every round ends with the deal linked to a live contact, or the
    /// contact deleted and the deal refused — never an open deal on a deleted contact.
    @Test(arguments: StoreTarget.available)
    func linkingAndDeletingAtOnceLeaveNoOpenDealOnADeletedContact(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            for round in 0..<8 {
                let contact = try await t.contact(name: "Гость \(round)")
                let services = t.services
                let input = DealInput(title: "Гонка \(round)", contact: contact.id)
                let actor = api
                async let created: Deal? = try? await services.deals.create(pipeline: "sales", stage: nil, input: input, actor: actor)
                async let deleted: Bool = (try? await services.parties.delete(.contacts, id: contact.id.rawValue)) != nil
                let (deal, gone) = await (created, deleted)
                // Whichever came first wins: the deal links a live contact, or the contact is gone and the deal was refused.
                #expect((deal != nil) != gone, "round \(round): deal created \(deal != nil), contact deleted \(gone)")
                if deal != nil { _ = try await services.store.read { s in try await s.contact(contact.id) } }
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theAPIAnswers409NamingTheOpenDeal(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
            try await t.withAPI { api in
                let refused = try await api.request(.delete, "/api/v1/contacts/\(contact.id)")
                #expect(refused.status == 409 && refused.contentType == "application/problem+json", "\(refused.text)")
                #expect((refused.object["detail"] as? String)?.contains("open deal \(deal.id)") == true, "\(refused.text)")
                let moved = try await api.request(.post, "/api/v1/deals/\(deal.id)/move", json: ["stage": "processing_request"])
                #expect(moved.status == 200, "\(moved.text)")
                let lost = try await api.request(.post, "/api/v1/deals/\(deal.id)/close", json: ["result": "lost", "reason": "spam"])
                #expect(lost.status == 200, "\(lost.text)")
                #expect(try await api.request(.delete, "/api/v1/contacts/\(contact.id)").status == 204)
                #expect(try await api.request(.get, "/api/v1/deals/\(deal.id)").status == 200)
            }
        }
    }

    /// Bitrix24's `crm.contact.delete` and `crm.company.delete` hold the same rule: refused in Bitrix24's error format
    /// naming the open deal, accepted once the deal is closed.
    @Test(arguments: StoreTarget.available)
    func bitrix24DeletesAreRefusedWhileAnOpenDealUsesThem(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let contact = try await t.contact()
            let company = try await t.services.parties.createCompany(name: "ООО Мебель", fields: nil)
            var input = t.completeInput(contact: contact)
            input.company = company.id
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            let prefix = "/rest/\(t.admin.id)/\(try await t.token(for: t.admin))/"
            try await t.withAPI(anonymous: true) { client in
                for (method, id) in [("crm.contact.delete", contact.id.rawValue), ("crm.company.delete", company.id.rawValue)] {
                    let refused = try await client.request(.post, prefix + method, json: ["id": id])
                    #expect(refused.status == 400, "\(method): \(refused.text)")
                    #expect((refused.object["error_description"] as? String)?.contains("open deal \(deal.id)") == true, "\(refused.text)")
                }
                // In a batch too: each command goes through the same method.
                let batch = try await client.request(.post, prefix + "batch", json: ["cmd": ["gone": "crm.contact.delete?id=\(contact.id)"]])
                #expect(batch.status == 200, "\(batch.text)")
                #expect(String(describing: batch.object["result"] ?? "").contains("open deal \(deal.id)"), "\(batch.text)")
                _ = try await t.services.store.read { s in (try await s.contact(contact.id), try await s.company(company.id)) }
                _ = try await t.services.deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: api)
                for (method, id) in [("crm.contact.delete", contact.id.rawValue), ("crm.company.delete", company.id.rawValue)] {
                    let deleted = try await client.request(.post, prefix + method, json: ["id": id])
                    #expect(deleted.status == 200 && deleted.object["result"] as? Bool == true, "\(method): \(deleted.text)")
                }
            }
            await #expect(throws: StoreError.self) { try await t.services.store.read { s in try await s.contact(contact.id) } }
            await #expect(throws: StoreError.self) { try await t.services.store.read { s in try await s.company(company.id) } }
        }
    }

    /// A manager may not delete through Bitrix24 either (as in the JSON API).
    @Test func bitrix24DeleteNeedsAnAdminOrAHeadOfSales() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            let prefix = "/rest/\(t.manager.id)/\(try await t.token(for: t.manager, scope: .write))/"
            try await t.withAPI(anonymous: true) { client in
                let refused = try await client.request(.post, prefix + "crm.contact.delete", json: ["id": contact.id.rawValue])
                #expect(refused.status == 403 && refused.object["error"] as? String == "ACCESS_DENIED", "\(refused.text)")
            }
            _ = try await t.services.store.read { s in try await s.contact(contact.id) }
        }
    }

    /// amoCRM's API v4 deletes no contacts or companies, and ours has no such resource: a DELETE changes nothing.
    @Test func amoCRMHasNoWayToDeleteAContact() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            let company = try await t.services.parties.createCompany(name: "ООО Мебель", fields: nil)
            let jwt = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "amo", scope: .admin, days: 30, by: nil).secret
            try await t.withAPI(anonymous: true) { client in
                let amo = client.with(token: jwt)
                for path in ["/api/v4/contacts/\(contact.id)", "/api/v4/companies/\(company.id)", "/acme.amocrm.ru/api/v4/contacts/\(contact.id)"] {
                    let r = try await amo.request(.delete, path)
                    #expect(!(200..<300).contains(r.status), "DELETE \(path) answered \(r.status)")
                }
            }
            _ = try await t.services.store.read { s in (try await s.contact(contact.id), try await s.company(company.id)) }
        }
    }

    /// The pages: a head of sales' delete of a contact an open deal uses shows the card again with a 409 that names the
    /// deal; once the deal is closed the delete goes through and the list no longer shows it.
    @Test(arguments: StoreTarget.available)
    func thePagesRefuseWithTheDealNamedAndDeleteOnceItIsClosed(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let head = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            let contact = try await t.contact(name: "Анна Удаляемая")
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: api)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: head.email)
                let refused = try await web.post("/contacts/\(contact.id)/delete", [:], from: "/contacts/\(contact.id)")
                #expect(refused.status == 409, "\(refused.text)")
                #expect(refused.text.contains(#"id="party-errors""#) && refused.text.contains("№\(deal.id) «Шкаф-купе»"), "\(refused.text)")
                #expect(refused.text.contains(#"<a href="/deals/\#(deal.id)">Шкаф-купе</a>"#))
                _ = try await t.services.store.read { s in try await s.contact(contact.id) }
                _ = try await t.services.deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: api)
                let deleted = try await web.post("/contacts/\(contact.id)/delete", [:], from: "/contacts/\(contact.id)")
                #expect(deleted.status == 303 && deleted.headers[.location] == "/contacts")
                #expect(!(try await web.get("/contacts").text.contains("Анна Удаляемая")))
                #expect(try await web.get("/contacts/\(contact.id)").status == 404)
            }
        }
    }
}

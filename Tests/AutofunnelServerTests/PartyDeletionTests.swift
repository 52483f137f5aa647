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
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@testable import AutofunnelServer

/// `PUT /api/v1/deals/by-external-id/{source}/{externalId}`: an integrator keeps its own id and sends the deal as it has it.
@Suite("Upsert by external id")
struct UpsertByExternalIDTests {
    static let path = "/api/v1/deals/by-external-id/shop/order-1001"

    static func body(_ t: TestServices, contact: Contact, stage: String? = nil, title: String = "Заказ 1001") -> [String: Any] {
        var body: [String: Any] = [
            "pipeline": "sales", "title": title, "amount": ["value": "48500.00", "currency": "RUB"], "responsibleId": t.manager.id.rawValue,
            "headOfSalesId": t.head.id.rawValue, "contactId": contact.id.rawValue,
            "fields": ["requirements": "2,4 м", "subject": "Шкаф", "delivery_method": "delivery"],
        ]
        if let stage { body["stage"] = stage }
        return body
    }

    /// `body` as JSON text, so that it can cross into the API closure.
    static func text(_ body: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }

    static func dealCount(_ t: TestServices) async throws -> Int {
        try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 100).items.count }
    }

    @Test func theFirstCallCreatesTheSameCallChangesNothingAndANewStageMovesThroughTheOnePath() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            let first = try Self.text(Self.body(t, contact: contact))
            let created = try await t.withAPI { api in try await api.request(.put, Self.path, raw: first) }
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            #expect(created.object["stage"] as? String == "new_lead")
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: DealID(Int64(id))) }

            let again = try await t.withAPI { api in try await api.request(.put, Self.path, raw: first) }
            #expect(again.status == 200 && again.object["id"] as? Int == id)
            #expect(try await Self.dealCount(t) == 1)
            #expect(try await t.services.store.read { s in try await s.timeline(deal: DealID(Int64(id))) } == timeline, "nothing changed")

            let move = try Self.text(Self.body(t, contact: contact, stage: "processing_request", title: "Заказ 1001 (срочно)"))
            let moved = try await t.withAPI { api in try await api.request(.put, Self.path, raw: move) }
            #expect(moved.status == 200, "\(moved.text)")
            #expect(moved.object["stage"] as? String == "processing_request" && moved.object["title"] as? String == "Заказ 1001 (срочно)")
            let log = try await t.services.store.read { s in try await s.stageLog(deal: DealID(Int64(id))) }
            #expect(log.map(\.to) == ["new_lead", "processing_request"] && log.last?.actor.kind == .api)
        }
    }

    @Test func aMoveTheRulesRefuseSavesNothingOfTheRequest() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            var body = Self.body(t, contact: contact)
            body["fields"] = nil
            let initial = try Self.text(body)
            let created = try await t.withAPI { api in try await api.request(.put, Self.path, raw: initial) }
            #expect(created.status == 201, "\(created.text)")
            body["stage"] = "proposal_made"
            body["title"] = "Новое название"
            let refusedMove = try Self.text(body)
            let refused = try await t.withAPI { api in try await api.request(.put, Self.path, raw: refusedMove) }
            #expect(refused.status == 422, "the stages left need their required fields: \(refused.text)")
            let deal = try await t.services.store.read { s in try await s.deal(DealID(Int64(created.object["id"] as! Int))) }
            #expect(deal.stage == "new_lead" && deal.title == "Заказ 1001", "the title sent with the refused move is not saved")
        }
    }

    @Test func badIdsAndAMissingPipelineAreClear4xx() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            var body = Self.body(t, contact: contact)
            let valid = try Self.text(body)
            let badSource = try await t.withAPI { api in try await api.request(.put, "/api/v1/deals/by-external-id/Bad%20Source/1", raw: valid) }
            #expect(badSource.status == 400, "\(badSource.text)")
            let tooLong = String(repeating: "x", count: 201)
            let longID = try await t.withAPI { api in try await api.request(.put, "/api/v1/deals/by-external-id/shop/\(tooLong)", raw: valid) }
            #expect(longID.status == 400, "\(longID.text)")
            body["pipeline"] = nil
            let withoutPipeline = try Self.text(body)
            let noPipeline = try await t.withAPI { api in try await api.request(.put, Self.path, raw: withoutPipeline) }
            #expect(noPipeline.status == 422 && noPipeline.text.contains("pipeline"), "\(noPipeline.text)")
            #expect(try await Self.dealCount(t) == 0)
        }
    }

    @Test(arguments: StoreTarget.available.filter { $0 != .sqliteMemory })
    func firstCallsAtOnceMakeOneDeal(target: StoreTarget) async throws {
        let t = try await TestServices.make(target)
        try await t.services.store.closing { _ in
            let contact = try await t.contact()
            let input = t.completeInput(contact: contact)
            let results = try await withThrowingTaskGroup(of: DealService.Upserted.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await t.services.deals.upsert(
                            source: "shop", externalID: "order-7", pipeline: "sales", stage: nil, input: input, lossComment: nil,
                            actor: Actor(kind: .api), principal: nil)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.deal.id)).count == 1)
            #expect(results.filter(\.created).count == 1)
            #expect(try await Self.dealCount(t) == 1)
        }
    }

    @Test func aContactIsCreatedOnceAndChangedByItsExternalID() async throws {
        try await TestServices.with { t in
            let path = "/api/v1/contacts/by-external-id/shop/customer-42"
            let first = try Self.text(["name": "Анна", "phones": ["+7 916 123-45-67"]])
            let created = try await t.withAPI { api in try await api.request(.put, path, raw: first) }
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            let again = try await t.withAPI { api in try await api.request(.put, path, raw: first) }
            #expect(again.status == 200 && again.object["id"] as? Int == id)
            #expect(again.object["updatedAt"] as? String == created.object["updatedAt"] as? String, "the same call changes nothing")
            let rename = try Self.text(["name": "Анна Петрова", "emails": ["anna@example.com"]])
            let renamed = try await t.withAPI { api in try await api.request(.put, path, raw: rename) }
            #expect(renamed.status == 200 && renamed.object["name"] as? String == "Анна Петрова")
            let stored = try await t.services.store.read { s in try await s.contact(ContactID(Int64(id))) }
            #expect(stored.name == "Анна Петрова" && stored.emails == ["anna@example.com"] && stored.phones == ["+79161234567"])
            let nameless = try Self.text(["phones": ["+7 916 000-00-00"]])
            let refused = try await t.withAPI { api in
                try await api.request(.put, "/api/v1/contacts/by-external-id/shop/customer-43", raw: nameless)
            }
            #expect(refused.status == 422, "a new contact needs a name: \(refused.text)")
            let count = try await t.services.store.read { s in try await s.contacts(matching: nil, after: nil, limit: 100).items.count }
            #expect(count == 1)
        }
    }
}

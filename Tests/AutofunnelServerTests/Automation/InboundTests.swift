import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Inbound lead capture")
struct InboundTests {
    @Test func aLeadOpensADealFindsItsContactAndNeverDuplicates() async throws {
        try await TestServices.with { t in
            var definition = Fixtures.salesDefinition()
            definition.key = "site_leads"
            definition.fields = nil
            definition.automations = [
                AutomationSpec(
                    key: "greet", trigger: .init(on: "lead_captured", source: "site"),
                    actions: [.init(do: "create_task", title: "Перезвонить {{contact.name}} за 15 минут", due: "15m")])
            ]
            _ = try await t.services.pipelines.apply(definition)
            let known = try await t.contact(name: "Анна", phone: "+7 912 345-67-89")
            try await t.withAPI { admin in
                let made = try await admin.request(
                    .post, "/api/v1/inbound-sources", json: ["key": "site", "pipeline": "site_leads", "responsibleId": Int(t.manager.id.rawValue)])
                #expect(made.status == 201)
                let secret = try #require(made.object["secret"] as? String)
                let site = admin.with(token: nil)
                let wrong = try await site.request(
                    .post, "/api/v1/inbound/site", json: ["name": "Анна"], headers: ["X-Inbound-Secret": "ais_wrong"])
                #expect(wrong.status == 401)
                let unknown = try await site.request(.post, "/api/v1/inbound/nope", json: ["name": "Анна"], headers: ["X-Inbound-Secret": secret])
                #expect(unknown.status == 401, "an unknown source answers like a wrong secret")
                let empty = try await site.request(.post, "/api/v1/inbound/site", json: ["comment": "?"], headers: ["X-Inbound-Secret": secret])
                #expect(empty.status == 422)

                let first = try await site.request(
                    .post, "/api/v1/inbound/site", json: ["name": "Анна Смирнова", "phone": "8 (912) 345-67-89", "comment": "Нужен шкаф 2,4 м"],
                    headers: ["X-Inbound-Secret": secret, "Idempotency-Key": "form-1"])
                #expect(first.status == 201, "\(first.text)")
                #expect(first.object["contactId"] as? Int == Int(known.id.rawValue), "found by phone")
                let dealID = try #require(first.object["dealId"] as? Int)
                let retry = try await site.request(
                    .post, "/api/v1/inbound/site", json: ["name": "Анна Смирнова", "phone": "8 (912) 345-67-89", "comment": "Нужен шкаф 2,4 м"],
                    headers: ["X-Inbound-Secret": secret, "Idempotency-Key": "form-1"])
                #expect(retry.status == 201 && retry.headers[.init("Idempotent-Replayed")!] == "true")
                let again = try await site.request(
                    .post, "/api/v1/inbound/site", json: ["name": "Анна", "phone": "+79123456789", "title": "Ещё и прихожая"],
                    headers: ["X-Inbound-Secret": secret])
                #expect(again.status == 200 && again.object["duplicate"] as? Bool == true && again.object["dealId"] as? Int == dealID)
                let stranger = try await site.request(
                    .post, "/api/v1/inbound/site", json: ["email": "New@Example.com"], headers: ["X-Inbound-Secret": secret])
                #expect(stranger.status == 201 && stranger.object["contactId"] as? Int != Int(known.id.rawValue))

                let deal = try await t.services.store.read { s in try await s.deal(DealID(Int64(dealID))) }
                #expect(deal.pipeline == "site_leads" && deal.stage == "new_lead" && deal.source == "site" && deal.responsible == t.manager.id)
                let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }
                #expect(tasks.map(\.title) == ["Перезвонить Анна за 15 минут"])
                let notes = try await t.services.store.read { s in try await s.notes(deal: deal.id) }.map(\.text)
                #expect(notes.count == 2 && notes[0] == "Нужен шкаф 2,4 м" && notes[1].contains("Ещё и прихожая"))
            }
        }
    }
}

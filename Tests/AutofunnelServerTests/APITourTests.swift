import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The README's curl tour, as a test: a deal from creation to close-and-copy through the REST API.
@Suite("REST API: a deal's life")
struct APITourTests {
    @Test func aDealFromLeadToCopyInProduction() async throws {
        try await TestServices.with() { t in
            let production = try PipelineService.yaml(
                try Fixtures.salesDefinition(key: "production").validated(knownFields: FieldCatalog(Fixtures.salesPipeline().0.declaredFields)).get())
            try await t.withAPI { api in
                let put = try await api.request(
                    .put, "/api/v1/pipelines/production/definition", raw: production, headers: ["Content-Type": "application/yaml"])
                #expect(put.status == 200, "\(put.text)")
                let exported = try await api.request(.get, "/api/v1/pipelines/production/definition")
                #expect(exported.text == production)
                #expect(exported.contentType == "application/yaml")
                let asJSON = try await api.request(.get, "/api/v1/pipelines/production/definition", headers: ["Accept": "application/json"])
                #expect(asJSON.object["key"] as? String == "production")

                let contact = try await api.request(
                    .post, "/api/v1/contacts", json: ["name": "Анна", "phones": ["+7 (912) 345-67-89"], "emails": ["Anna@Example.ru"]])
                #expect(contact.status == 201)
                #expect(contact.object["phones"] as? [String] == ["+79123456789"])
                #expect(contact.object["emails"] as? [String] == ["anna@example.ru"])
                let contactID = contact.object["id"] as! Int

                let created = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф-купе", "source": "site"])
                #expect(created.status == 201)
                #expect(created.object["stage"] as? String == "new_lead")
                let id = created.object["id"] as! Int

                let refused = try await api.request(.post, "/api/v1/deals/\(id)/move", json: ["stage": "processing_request"])
                #expect(refused.status == 422)
                #expect(refused.fieldList == ["contact", "requirements"])

                let moved = try await api.request(
                    .post, "/api/v1/deals/\(id)/move",
                    json: [
                        "stage": "processing_request", "contactId": contactID, "fields": ["requirements": "2,4 м, зеркало"],
                    ])
                #expect(moved.status == 200, "\(moved.text)")
                #expect(moved.object["stage"] as? String == "processing_request")

                let patched = try await api.request(
                    .patch, "/api/v1/deals/\(id)",
                    json: [
                        "amount": ["value": "48500.5", "currency": "RUB"], "fields": ["subject": "Шкаф", "delivery_method": "delivery"],
                    ])
                #expect(patched.status == 200)
                #expect((patched.object["amount"] as? [String: String]) == ["value": "48500.50", "currency": "RUB"])

                let note = try await api.request(.post, "/api/v1/deals/\(id)/notes", json: ["text": "Перезвонить после 15:00"])
                #expect(note.status == 201)

                let lost = try await api.request(
                    .post, "/api/v1/deals/\(id)/close", json: ["result": "lost", "reason": "too_expensive", "comment": "Нашли дешевле"])
                #expect(lost.status == 200)
                #expect(lost.object["status"] as? String == "lost" && lost.object["lossComment"] as? String == "Нашли дешевле")
                let reopened = try await api.request(.post, "/api/v1/deals/\(id)/reopen", json: ["reason": "Клиент вернулся"])
                #expect(reopened.object["stage"] as? String == "processing_request")

                let copy = try await api.request(.post, "/api/v1/deals/\(id)/copy-to-pipeline", json: ["pipeline": "production"])
                #expect(copy.status == 201, "\(copy.text)")
                let closed = copy.object["closed"] as! [String: Any]
                let opened = copy.object["copy"] as! [String: Any]
                #expect(closed["status"] as? String == "won")
                #expect(opened["pipeline"] as? String == "production" && opened["lineageId"] as? String == closed["lineageId"] as? String)
                let copiedNotes = try await api.request(.get, "/api/v1/deals/\(opened["id"] as! Int)/notes")
                #expect((copiedNotes.object["items"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Перезвонить после 15:00"])

                let log = try await api.request(.get, "/api/v1/deals/\(id)/transitions")
                let rows = log.object["items"] as! [[String: Any]]
                #expect(
                    rows.map { $0["to"] as! String } == ["new_lead", "processing_request", "too_expensive", "processing_request", "order_received"])
                #expect(rows.map { $0["cause"] as! String } == ["created", "move", "close", "reopen: Клиент вернулся", "copy to production"])
                #expect(rows.allSatisfy { $0["actorKind"] as? String == "api" })

                let timeline = try await api.request(.get, "/api/v1/deals/\(id)/timeline")
                let fields = (timeline.object["items"] as! [[String: Any]]).compactMap { $0["field"] as? String }
                #expect(fields.contains("fields.requirements") && fields.contains("amount") && fields.contains("lossComment"))

                let page1 = try await api.request(.get, "/api/v1/deals?limit=1")
                #expect((page1.object["items"] as? [Any])?.count == 1)
                let cursor = try #require(page1.object["nextCursor"] as? String)
                let page2 = try await api.request(.get, "/api/v1/deals?limit=1&cursor=\(cursor)")
                #expect(page2.object["nextCursor"] == nil)
                let openInProduction = try await api.request(.get, "/api/v1/deals?pipeline=production&status=open")
                #expect((openInProduction.object["items"] as? [Any])?.count == 1)

                #expect(try await api.request(.delete, "/api/v1/deals/\(id)").status == 204)
                #expect(try await api.request(.get, "/api/v1/deals/\(id)").status == 404)
                #expect(try await api.request(.delete, "/api/v1/pipelines/production").status == 409)
            }
            let log = try await t.services.store.read { s in try await s.stageLog(deal: DealID(1)) }
            #expect(log.count == 5)
        }
    }

    @Test func fieldsAreManagedThroughTheAPI() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let created = try await api.request(
                    .post, "/api/v1/fields",
                    json: [
                        "entity": "company", "key": "inn", "type": "text", "name": ["ru": "ИНН", "en": "Tax id"],
                    ])
                #expect(created.status == 201)
                #expect(
                    try await api.request(
                        .post, "/api/v1/fields", json: ["entity": "company", "key": "inn", "type": "text", "name": ["ru": "ИНН", "en": "Tax id"]]
                    ).status == 409)
                let badEnum = try await api.request(
                    .post, "/api/v1/fields", json: ["entity": "deal", "key": "kind", "type": "enum", "name": ["ru": "Вид", "en": "Kind"]])
                #expect(badEnum.status == 422)
                let company = try await api.request(.post, "/api/v1/companies", json: ["name": "ООО Ромашка", "fields": ["inn": "7701234567"]])
                #expect(company.status == 201)
                let list = try await api.request(.get, "/api/v1/fields?entity=deal")
                #expect((list.object["items"] as? [[String: Any]])?.compactMap { $0["declaredBy"] as? String }.allSatisfy { $0 == "sales" } == true)
                #expect(
                    try await api.request(.patch, "/api/v1/fields/company/inn", json: ["name": ["ru": "ИНН компании", "en": "Company tax id"]]).status
                        == 200)
                #expect(try await api.request(.delete, "/api/v1/fields/company/inn").status == 204)
                #expect(try await api.request(.get, "/api/v1/fields/company/inn").status == 404)
                #expect(try await api.request(.get, "/api/v1/fields/robot/inn").status == 404)
            }
        }
    }

    @Test func healthMetricsAndTheSpecAreServed() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let health = try await api.request(.get, "/health")
                #expect(health.status == 200 && health.object["status"] as? String == "ok")
                _ = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф"])
                _ = try await api.request(.post, "/api/v1/deals/1/move", json: ["stage": "processing_request"])
                _ = try await api.request(.post, "/api/v1/deals/1/move", json: ["stage": "new_lead"])
                _ = try await api.request(.post, "/api/v1/deals/1/move", json: ["stage": "proposal_made"])
                let metrics = try await api.request(.get, "/metrics")
                #expect(metrics.text.contains(#"autofunnel_moves_refused_total{rule="requiredField"} 2"#))
                #expect(metrics.text.contains(#"autofunnel_moves_refused_total{rule="sameStage"} 1"#))
                #expect(metrics.text.contains(#"autofunnel_http_requests_total{method="POST",route="/api/v1/deals/{id}/move",status="422"} 3"#))
                #expect(metrics.text.contains(#"autofunnel_http_request_duration_seconds_bucket{method="POST",route="/api/v1/deals",le="#))
                let spec = try await api.request(.get, "/api/v1/openapi.yaml")
                #expect(spec.status == 200 && spec.text.hasPrefix("openapi: 3.1.0"))
            }
        }
    }
}

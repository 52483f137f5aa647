import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Every bad input answers a 4xx problem+json and leaves nothing half-written.
@Suite("REST API: bad input")
struct APIBadInputTests {
    func expectProblem(_ r: APIResponse, _ status: Int, rules: [String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
        #expect(r.contentType == "application/problem+json", sourceLocation: sourceLocation)
        #expect(r.object["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect((r.object["requestId"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(r.headers[.init("X-Request-Id")!] == r.object["requestId"] as? String, sourceLocation: sourceLocation)
        if let rules { #expect(r.ruleList == rules, "\(r.text)", sourceLocation: sourceLocation) }
    }

    func dealCount(_ t: TestServices) async throws -> Int {
        try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 1000).items.count }
    }

    @Test func malformedJSONIs400() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                expectProblem(try await api.request(.post, "/api/v1/deals", raw: #"{"pipeline": "sales", "title": "#), 400)
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func unknownFieldsAre400() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let r = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф", "stageKey": "won"])
                expectProblem(r, 400)
                #expect(r.text.contains("stageKey"))
                let move = try await api.request(.post, "/api/v1/deals/1/move", json: ["stage": "proposal_made", "force": true])
                expectProblem(move, 400)
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func wrongTypesAre400() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                expectProblem(try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": 42]), 400)
                expectProblem(try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "x", "contactId": "seven"]), 400)
                expectProblem(
                    try await api.request(
                        .post, "/api/v1/deals", json: ["pipeline": "sales", "title": "x", "amount": ["value": 100, "currency": "RUB"]]), 400)
                expectProblem(try await api.request(.get, "/api/v1/deals/abc"), 400)
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func unknownIdsAre404() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                expectProblem(try await api.request(.get, "/api/v1/deals/999"), 404)
                expectProblem(try await api.request(.post, "/api/v1/deals/999/move", json: ["stage": "proposal_made"]), 404)
                expectProblem(try await api.request(.get, "/api/v1/pipelines/nope"), 404)
                expectProblem(try await api.request(.get, "/api/v1/no/such/route"), 404)
                let r = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "x", "contactId": 999])
                expectProblem(r, 422, rules: ["unknownReference"])
                #expect(r.fieldList == ["contactId"])
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let huge = String(repeating: "x", count: maximumBodySize + 10)
                expectProblem(try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": huge]), 413)
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test(arguments: [
        (["value": "100", "currency": "XYZ"], "amount.currency"), (["value": "100", "currency": "rub"], "amount.currency"),
        (["value": "-5", "currency": "RUB"], "amount.value"), (["value": "NaN", "currency": "RUB"], "amount.value"),
        (["value": "Infinity", "currency": "RUB"], "amount.value"), (["value": "1e309", "currency": "RUB"], "amount.value"),
        (["value": "10.001", "currency": "RUB"], "amount.value"),
    ])
    func badAmountsAndCurrenciesAre422(amount: [String: String], field: String) async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let r = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф", "amount": amount])
                expectProblem(r, 422, rules: ["invalidValue"])
                #expect(r.fieldList == [field])
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func badCustomFieldValuesAre422() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let r = try await api.request(
                    .post, "/api/v1/deals",
                    json: [
                        "pipeline": "sales", "title": "Шкаф", "fields": ["delivery_method": "teleport", "nope": 1, "subject": 5],
                    ])
                expectProblem(r, 422)
                #expect(Set(r.fieldList) == ["fields.delivery_method", "fields.nope", "fields.subject"])
            }
            #expect(try await dealCount(t) == 0)
        }
    }

    @Test func aRefusedMoveIs422WithEveryViolation() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let created = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф"])
                #expect(created.status == 201)
                let id = created.object["id"] as! Int
                let r = try await api.request(
                    .post, "/api/v1/deals/\(id)/move", json: ["stage": "proposal_made", "amount": ["value": "100", "currency": "RUB"]])
                expectProblem(r, 422)
                #expect(r.object["type"] as? String == "urn:autofunnel:problem:transition-refused")
                #expect(r.fieldList == ["contact", "requirements", "subject", "delivery_method", "contact.name", "contact.phone"])
                let first = (r.object["errors"] as! [[String: Any]])[0]
                #expect(first["stage"] as? String == "new_lead")
                #expect(first["messageRu"] as? String == "Чтобы покинуть этап «Новый лид», заполните поле «Контакт»")
                let deal = try await api.request(.get, "/api/v1/deals/\(id)")
                #expect(deal.object["stage"] as? String == "new_lead")
                #expect(deal.object["amount"] == nil)
                let lost = try await api.request(.post, "/api/v1/deals/\(id)/close", json: ["result": "lost", "reason": "too_expensive"])
                expectProblem(lost, 422, rules: ["lossCommentRequired"])
            }
        }
    }

    @Test func idempotencyKeysReplayAndRefuseADifferentBody() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                let body: [String: Any] = ["pipeline": "sales", "title": "Шкаф"]
                let first = try await api.request(.post, "/api/v1/deals", json: body, headers: ["Idempotency-Key": "order-17"])
                let again = try await api.request(.post, "/api/v1/deals", json: body, headers: ["Idempotency-Key": "order-17"])
                #expect(first.status == 201 && again.status == 201)
                #expect(first.text == again.text)
                #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
                let other = try await api.request(
                    .post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Другое"], headers: ["Idempotency-Key": "order-17"])
                expectProblem(other, 422)
                let tooLong = try await api.request(
                    .post, "/api/v1/deals", json: body, headers: ["Idempotency-Key": String(repeating: "k", count: 256)])
                expectProblem(tooLong, 400)
                // A refused request is replayed as refused too (Stripe's semantics).
                let refused = try await api.request(
                    .post, "/api/v1/deals/1/move", json: ["stage": "invoice_sent"], headers: ["Idempotency-Key": "m1"])
                let refusedAgain = try await api.request(
                    .post, "/api/v1/deals/1/move", json: ["stage": "invoice_sent"], headers: ["Idempotency-Key": "m1"])
                #expect(refused.status == 422 && refusedAgain.status == 422)
            }
            #expect(try await dealCount(t) == 1)
        }
    }

    @Test func badCursorsAndLimitsAre400() async throws {
        try await TestServices.with() { t in
            try await t.withAPI { api in
                expectProblem(try await api.request(.get, "/api/v1/deals?cursor=!!"), 400)
                expectProblem(try await api.request(.get, "/api/v1/deals?limit=0"), 400)
                expectProblem(try await api.request(.get, "/api/v1/deals?limit=100000"), 400)
            }
        }
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import HTTPTypes
import Testing

/// amoCRM's API v4 at `/api/v4/…` (and under `/{account}.amocrm.ru`), in process, with long-lived JWT tokens.
@Suite("amoCRM v4 dialect")
struct AmoCRMTests {
    /// Runs `body` with an API client carrying an amoCRM long-lived token of `user` (default: the admin).
    func withAmo(
        _ target: StoreTarget = .sqliteMemory, as user: ((TestServices) -> User)? = nil, scope: TokenScope = .admin,
        _ body: @escaping @Sendable (TestServices, APITester, String) async throws -> Void
    ) async throws {
        try await TestServices.with(target) { t in
            let owner = user?(t) ?? t.admin
            let jwt = try await t.services.auth.createAmoCRMToken(for: owner.id, name: "amo", scope: scope, days: 30, by: nil).secret
            try await t.withAPI(anonymous: true) { api in try await body(t, api.with(token: jwt), jwt) }
        }
    }

    static func embedded(_ r: APIResponse, _ key: String) -> [[String: Any]] {
        (r.object["_embedded"] as? [String: Any])?[key] as? [[String: Any]] ?? []
    }

    @Test func pipelinesAndStatusesHaveStableIdsWithWonAndLostAs142And143() async throws {
        try await withAmo { _, api, _ in
            let r = try await api.request(.get, "/api/v4/leads/pipelines?page=1&limit=250&with=statuses")
            #expect(r.status == 200, "\(r.text)")
            let pipelines = Self.embedded(r, "pipelines")
            let sales = try #require(pipelines.first)
            let id = try #require(sales["id"] as? Int)
            #expect(sales["is_main"] as? Bool == true)
            let statuses = (sales["_embedded"] as? [String: Any])?["statuses"] as? [[String: Any]] ?? []
            #expect(statuses.contains { $0["id"] as? Int == 142 && $0["type"] as? Int == 0 })
            #expect(statuses.contains { $0["id"] as? Int == 143 })
            #expect(statuses.allSatisfy { $0["pipeline_id"] as? Int == id })

            let prefixed = try await api.request(.get, "/acme.amocrm.ru/api/v4/leads/pipelines/\(id)")
            #expect(prefixed.object["id"] as? Int == id, "ids are the same on every call and under the account prefix")
            let own = try await api.request(.get, "/acme.amocrm.ru/api/v4/leads/pipelines/\(id)/statuses")
            #expect(Self.embedded(own, "statuses").count == statuses.count)
            let foreign = try await api.request(.get, "/evil.example.com/api/v4/leads/pipelines")
            #expect(foreign.status == 404)

            let fields = try await api.request(.get, "/api/v4/leads/custom_fields")
            let delivery = Self.embedded(fields, "custom_fields").first { $0["code"] as? String == "DELIVERY_METHOD" }
            #expect(delivery?["type"] as? String == "select")
            #expect((delivery?["enums"] as? [[String: Any]])?.count == 2)
            let contactFields = try await api.request(.get, "/api/v4/contacts/custom_fields")
            #expect(Self.embedded(contactFields, "custom_fields").first?["code"] as? String == "PHONE")
        }
    }

    @Test func aRefusedMoveAnswersValidationErrorsWithOurTextAndTheMoveGoesThroughTheTransitionPath() async throws {
        try await withAmo { t, api, _ in
            let contact = try await t.contact()
            let created = try await api.request(.post, "/api/v4/leads", json: [["name": "Шкаф-купе", "price": 48500, "request_id": "r1"]])
            #expect(created.status == 200, "\(created.text)")
            let lead = try #require(Self.embedded(created, "leads").first)
            #expect(lead["request_id"] as? String == "r1")
            let id = try #require(lead["id"] as? Int)
            let stages = try await api.request(.get, "/api/v4/leads/pipelines")
            let statuses = (Self.embedded(stages, "pipelines").first?["_embedded"] as? [String: Any])?["statuses"] as? [[String: Any]] ?? []
            let processing = try #require(statuses.first { $0["name"] as? String == "Processing request" }?["id"] as? Int)

            let refused = try await api.request(.patch, "/api/v4/leads", json: [["id": id, "status_id": processing]])
            #expect(refused.status == 400)
            let errors = (refused.object["validation-errors"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { ($0["detail"] as? String ?? "").contains("Requirements") }, "\(refused.text)")
            #expect(refused.object["title"] as? String == "Bad Request")

            let moved = try await api.request(
                .patch, "/api/v4/leads/\(id)",
                json: [
                    "status_id": processing, "_embedded": ["contacts": [["id": contact.id.rawValue]]],
                    "custom_fields_values": [["field_code": "REQUIREMENTS", "values": [["value": "2,4 м"]]]],
                ])
            #expect(moved.status == 200, "\(moved.text)")
            #expect(moved.object["id"] as? Int == id)
            let log = try await t.services.store.read { s in try await s.stageLog(deal: DealID(Int64(id))) }
            #expect(log.last?.actor.kind == .api)

            let won = try await api.request(
                .patch, "/api/v4/leads",
                json: [
                    [
                        "id": id, "status_id": 142,
                        "custom_fields_values": [
                            ["field_code": "SUBJECT", "values": [["value": "Шкаф"]]],
                            ["field_code": "DELIVERY_METHOD", "values": [["enum_code": "delivery"]]],
                        ],
                    ]
                ])
            #expect(won.status == 200, "\(won.text)")
            let got = try await api.request(.get, "/api/v4/leads/\(id)?with=contacts")
            #expect(got.object["status_id"] as? Int == 142)
            #expect(got.object["price"] as? Int == 48500)
            let embeddedContacts = (got.object["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]]
            #expect(embeddedContacts?.first?["id"] as? Int == Int(contact.id.rawValue))
            let values = got.object["custom_fields_values"] as? [[String: Any]] ?? []
            #expect(values.contains { $0["field_code"] as? String == "DELIVERY_METHOD" })
            let deal = try await t.services.store.read { s in try await s.deal(DealID(Int64(id))) }
            #expect(deal.status == .won)
        }
    }

    @Test func aListWithOneRefusedItemSavesNothing() async throws {
        try await withAmo { t, api, _ in
            let r = try await api.request(.post, "/api/v4/leads", json: [["name": "Fine"], ["name": "Bad", "status_id": 999_999]])
            #expect(r.status == 400)
            #expect((r.object["validation-errors"] as? [[String: Any]])?.first?["request_id"] as? String == "1")
            let count = try await t.services.store.read { s in try await s.offsetDeals(OffsetListQuery()).total }
            #expect(count == 0)
            let notJSON = try await api.request(.post, "/api/v4/leads", raw: "{")
            #expect(notJSON.status == 400)
        }
    }

    @Test(arguments: StoreTarget.available)
    func listsPageWithAbsoluteNextLinksOnlyWhenMoreFollow(_ target: StoreTarget) async throws {
        try await withAmo(target) { t, api, _ in
            for i in 1...120 {
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Deal \(i)"), actor: Actor(kind: .api))
            }
            let first = try await api.request(.get, "/acme.amocrm.ru/api/v4/leads?limit=50&filter[name]=Deal%201&page=1")
            #expect(Self.embedded(first, "leads").count == 1)
            #expect((first.object["_links"] as? [String: Any])?["next"] == nil)

            var seen: [Int] = []
            var next: String? = "/api/v4/leads?limit=50&order[id]=asc"
            while let path = next {
                let page = try await api.request(.get, path)
                #expect(page.status == 200)
                seen += Self.embedded(page, "leads").compactMap { $0["id"] as? Int }
                let href = ((page.object["_links"] as? [String: Any])?["next"] as? [String: Any])?["href"] as? String
                if let href { #expect(href.hasPrefix("http://") && href.contains("/api/v4/leads?") && href.contains("limit=50")) }
                next = href.flatMap { URL(string: $0) }.map { $0.path + "?" + ($0.query ?? "") }
            }
            #expect(seen.count == 120 && Set(seen).count == 120)
            let proxied = try await api.request(.get, "/api/v4/leads?limit=50", headers: ["X-Forwarded-Proto": "https"])
            let proxiedNext = ((proxied.object["_links"] as? [String: Any])?["next"] as? [String: Any])?["href"] as? String
            #expect(proxiedNext?.hasPrefix("https://") == true, "behind a TLS proxy the links say https")
            let past = try await api.request(.get, "/api/v4/leads?limit=50&page=4")
            #expect(past.status == 200)
            #expect(Self.embedded(past, "leads").isEmpty)
            let capped = try await api.request(.get, "/api/v4/leads?limit=1000")
            #expect(Self.embedded(capped, "leads").count == 120)
            let two = try await api.request(.get, "/api/v4/leads?filter[id][]=3&filter[id][]=5")
            #expect(Self.embedded(two, "leads").compactMap { $0["id"] as? Int } == [3, 5])
            let one = try await api.request(.get, "/api/v4/leads?filter[id][0]=7&order[id]=desc")
            #expect(Self.embedded(one, "leads").count == 1)
            let range = try await api.request(.get, "/api/v4/leads?filter[id][from]=10&filter[id][to]=19")
            #expect(Self.embedded(range, "leads").count == 10)
            let unknown = try await api.request(.get, "/api/v4/leads/424242")
            #expect(unknown.status == 204)
        }
    }

    /// Every filter is applied or refused: `filter[price]` in whole units, several task leads at once, and a filter or
    /// value the server cannot apply is a 400 in amoCRM's format naming it — a list is never silently whole.
    @Test(arguments: StoreTarget.available)
    func filtersAreAppliedOrRefusedNeverIgnored(_ target: StoreTarget) async throws {
        try await withAmo(target) { t, api, _ in
            var made: [DealID] = []
            for (title, amount) in [("a", "999"), ("b", "1000"), ("c", "1500.50")] {
                var input = DealInput(title: title, responsible: t.admin.id)
                input.amount = .init(value: amount, currency: "RUB")
                made.append(try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .api)).id)
            }
            func names(_ path: String) async throws -> (Int, [String], String) {
                let r = try await api.request(.get, path)
                let errors = (r.object["validation-errors"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]]
                return (r.status, Self.embedded(r, "leads").compactMap { $0["name"] as? String }, errors?.first?["path"] as? String ?? "")
            }
            #expect(try await names("/api/v4/leads?filter[price][from]=1000").1 == ["b", "c"])
            #expect(try await names("/api/v4/leads?filter[price][from]=1000&filter[price][to]=1000").1 == ["b"])
            #expect(try await names("/api/v4/leads?filter[responsible_user_id][]=\(t.admin.id)").1 == ["a", "b", "c"])
            for (query, path) in [
                ("filter[custom_fields_values][1][]=x", "filter[custom_fields_values]"), ("filter[price][from]=abc", "filter[price][from]"),
                ("filter[price][to]=9223372036854775807", "filter[price][to]"), ("filter[responsible_user_id]=me", "filter[responsible_user_id]"),
                ("filter[pipeline_id][]=x", "filter[pipeline_id]"),
            ] {
                let (status, rows, named) = try await names("/api/v4/leads?" + query)
                #expect(status == 400 && rows.isEmpty && named == path, "\(query): \(status) \(named)")
            }
            #expect(try await api.request(.get, "/api/v4/contacts?filter[phone]=1").status == 400)
            // Tasks of two leads out of three, then an unknown task filter.
            for deal in made {
                _ = try await t.services.deals.createTask(
                    deal: deal, title: "call", text: nil, dueAt: Fixtures.t0, assignee: t.admin.id, principal: nil, kind: .call)
            }
            let two = try await api.request(.get, "/api/v4/tasks?filter[entity_id][]=\(made[0])&filter[entity_id][]=\(made[2])")
            #expect(Set(Self.embedded(two, "tasks").compactMap { $0["entity_id"] as? Int }) == [Int(made[0].rawValue), Int(made[2].rawValue)])
            #expect(try await api.request(.get, "/api/v4/tasks?filter[task_type]=1").status == 400)
        }
    }

    /// `order[updated_at]=desc` lists the most recently changed lead first; `order[created_at]=asc` by creation.
    @Test(arguments: StoreTarget.available)
    func leadsAreListedInTheOrderAsked(_ target: StoreTarget) async throws {
        try await withAmo(target) { t, api, _ in
            var ids: [DealID] = []
            for name in ["first", "second", "third"] {
                t.clock.advance(millis: 1_000)
                ids.append(
                    try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: name), actor: Actor(kind: .api)).id)
            }
            t.clock.advance(millis: 1_000)
            _ = try await t.services.deals.update(ids[0], input: DealInput(title: "first, changed"), actor: Actor(kind: .api))
            let changed = try await api.request(.get, "/api/v4/leads?order[updated_at]=desc")
            #expect(Self.embedded(changed, "leads").compactMap { $0["name"] as? String } == ["first, changed", "third", "second"])
            let created = try await api.request(.get, "/api/v4/leads?order[created_at]=asc")
            #expect(Self.embedded(created, "leads").compactMap { $0["name"] as? String } == ["first, changed", "second", "third"])
        }
    }

    @Test func badOrExpiredOrRevokedTokensAre401InAmoCRMFormat() async throws {
        try await withAmo { t, api, jwt in
            #expect(try await api.request(.get, "/api/v4/leads").status == 200)
            var tampered = Array(jwt)
            tampered[tampered.count - 2] = tampered[tampered.count - 2] == "A" ? "B" : "A"
            let bad = try await api.with(token: String(tampered)).request(.get, "/api/v4/leads")
            #expect(bad.status == 401)
            #expect(bad.object["title"] as? String == "Unauthorized" && bad.object["detail"] != nil)
            let none = try await api.with(token: nil).request(.get, "/api/v4/leads")
            #expect(none.status == 401)
            // Every verb answers in amoCRM's format: one not served is a 405, unauthenticated still a 401.
            for method in [HTTPRequest.Method.delete, .put] {
                let refused = try await api.request(method, "/api/v4/leads/1")
                #expect(refused.status == 405 && refused.object["title"] as? String == "Method Not Allowed", "\(method)")
                let anonymous = try await api.with(token: nil).request(method, "/api/v4/leads")
                #expect(anonymous.status == 401 && anonymous.object["title"] as? String == "Unauthorized", "\(method)")
            }

            let claims = try #require(AmoCRMToken.verified(jwt, key: try await Self.key(t), now: t.clock.now()))
            #expect(claims.user == t.admin.id)
            t.clock.advance(millis: 31 * 86_400_000)
            #expect(try await api.request(.get, "/api/v4/leads").status == 401, "expired")

            let fresh = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "again", scope: .admin, days: 1, by: nil)
            #expect(try await api.with(token: fresh.secret).request(.get, "/api/v1/deals").status == 200, "a JWT is also an API token")
            try await t.services.auth.revokeToken(id: fresh.token.id, by: nil)
            #expect(try await api.with(token: fresh.secret).request(.get, "/api/v4/leads").status == 401, "revoked")
        }
    }

    static func key(_ t: TestServices) async throws -> String {
        try await t.services.store.read { s in try await s.serverSecret("amocrm_jwt_hs256") } ?? ""
    }

    @Test func rolesGrantsAndScopesApplyAsInTheJSONAPI() async throws {
        try await TestServices.with { t in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "other"))
            _ = try await t.services.auth.setGrants(t.manager.id, ["other": .none], by: nil)
            let managers = try await t.services.auth.createAmoCRMToken(for: t.manager.id, name: "m", scope: .write, days: 1, by: nil).secret
            let reader = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "r", scope: .read, days: 1, by: nil).secret
            let theirs = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Head's", responsible: t.head.id), actor: Actor(kind: .api))
            try await t.withAPI(anonymous: true) { api in
                let pipelines = try await api.with(token: managers).request(.get, "/api/v4/leads/pipelines")
                #expect(Self.embedded(pipelines, "pipelines").count == 1, "no grant, no pipeline")
                let hidden = try await api.with(token: managers).request(.get, "/api/v4/leads/\(theirs.id)")
                #expect(hidden.status == 204)
                let patch = try await api.with(token: managers).request(.patch, "/api/v4/leads/\(theirs.id)", json: ["name": "Mine"])
                #expect(patch.status == 404)
                let write = try await api.with(token: reader).request(.post, "/api/v4/contacts", json: [["name": "Anna"]])
                #expect(write.status == 403)
            }
        }
    }

    @Test func contactsAndTasks() async throws {
        try await withAmo { t, api, _ in
            let made = try await api.request(
                .post, "/api/v4/contacts",
                json: [
                    [
                        "name": "Анна",
                        "custom_fields_values": [["field_code": "PHONE", "values": [["value": "+7 912 345-67-89", "enum_code": "WORK"]]]],
                    ]
                ])
            #expect(made.status == 200, "\(made.text)")
            let id = try #require(Self.embedded(made, "contacts").first?["id"] as? Int)
            let got = try await api.request(.get, "/api/v4/contacts/\(id)")
            let phone = (got.object["custom_fields_values"] as? [[String: Any]])?.first { $0["field_code"] as? String == "PHONE" }
            #expect(((phone?["values"] as? [[String: Any]])?.first?["value"] as? String)?.hasSuffix("9123456789") == true)
            #expect(try await api.request(.get, "/api/v4/contacts/424242").status == 204)
            let users = try await api.request(.get, "/api/v4/users?limit=2")
            #expect(Self.embedded(users, "users").first?["email"] as? String == "manager@example.com")
            #expect((users.object["_links"] as? [String: Any])?["next"] != nil, "three users, two a page")
            let admin = try await api.request(.get, "/api/v4/users/\(t.admin.id)")
            #expect((admin.object["rights"] as? [String: Any])?["is_admin"] as? Bool == true)

            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "With a task"), actor: Actor(kind: .api))
            let task = try await api.request(
                .post, "/api/v4/tasks",
                json: [["text": "Перезвонить", "complete_till": 1_900_000_000, "entity_id": deal.id.rawValue, "entity_type": "leads"]])
            #expect(task.status == 200, "\(task.text)")
            let taskID = try #require(Self.embedded(task, "tasks").first?["id"] as? Int)
            let done = try await api.request(.patch, "/api/v4/tasks/\(taskID)", json: ["is_completed": true, "result": ["text": "Дозвонились"]])
            #expect(done.status == 200, "\(done.text)")
            let listed = try await api.request(.get, "/api/v4/tasks?filter[entity_id]=\(deal.id)")
            #expect(Self.embedded(listed, "tasks").first?["is_completed"] as? Bool == true)
            let notes = try await t.services.store.read { s in try await s.notes(deal: deal.id) }
            #expect(notes.contains { $0.text.contains("Дозвонились") })
            let orphan = try await api.request(.post, "/api/v4/tasks", json: [["text": "x", "entity_type": "contacts", "entity_id": id]])
            #expect(orphan.status == 400)
            // amoCRM's type 2 is a meeting; the kind is kept and written back.
            let meeting = try await api.request(
                .post, "/api/v4/tasks",
                json: [["text": "Встреча", "complete_till": 1_900_000_000, "entity_id": deal.id.rawValue, "entity_type": "leads", "task_type_id": 2]])
            let meetingID = try #require(Self.embedded(meeting, "tasks").first?["id"] as? Int)
            #expect(try await t.services.store.read { s in try await s.task(TaskID(Int64(meetingID))) }.kind == .meeting)
            let read = try await api.request(.get, "/api/v4/tasks/\(meetingID)")
            #expect(read.object["task_type_id"] as? Int == 2)
        }
    }

    @Test func theJSONAPIMakesAmoCRMTokensToo() async throws {
        try await TestServices.with { t in
            try await t.withAPI(as: t.manager, scope: .write) { api in
                let made = try await api.request(.post, "/api/v1/tokens", json: ["name": "amo", "scope": "read", "format": "amocrm", "days": 7])
                #expect(made.status == 201, "\(made.text)")
                let jwt = try #require(made.object["secret"] as? String)
                #expect(jwt.hasPrefix("eyJ"))
                #expect(try await api.with(token: jwt).request(.get, "/api/v4/leads").status == 200)
                t.clock.advance(millis: 8 * 86_400_000)
                #expect(try await api.with(token: jwt).request(.get, "/api/v4/leads").status == 401)
                let tooLong = try await api.request(.post, "/api/v1/tokens", json: ["name": "x", "scope": "read", "format": "amocrm", "days": 5000])
                #expect(tooLong.status == 422 && tooLong.fieldList == ["days"])
                let nativeDays = try await api.request(.post, "/api/v1/tokens", json: ["name": "x", "scope": "read", "days": 5])
                #expect(nativeDays.status == 422 && nativeDays.fieldList == ["days"])
                let wider = try await api.request(.post, "/api/v1/tokens", json: ["name": "x", "scope": "admin", "format": "amocrm"])
                #expect(wider.status == 403)
            }
        }
    }

    @Test func badInputIsA4xxThatChangesNothing() async throws {
        try await withAmo { t, api, _ in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Kept"), actor: Actor(kind: .api))
            let bad: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/api/v4/leads", "[]"), (.post, "/api/v4/leads", "null"), (.post, "/api/v4/leads", "[1, 2]"),
                (.post, "/api/v4/leads", #"[{"price": "many"}]"#), (.post, "/api/v4/leads", #"[{"price": -5}]"#),
                (.post, "/api/v4/leads", #"[{"pipeline_id": "x"}]"#), (.post, "/api/v4/leads", #"[{"pipeline_id": 1}]"#),
                (.post, "/api/v4/leads", #"[{"custom_fields_values": "x"}]"#),
                (.post, "/api/v4/leads", #"[{"custom_fields_values": [{"field_id": 1, "values": [{"value": 1}]}]}]"#),
                (.post, "/api/v4/leads", #"[{"_embedded": {"contacts": [{"id": "me"}]}}]"#),
                (.post, "/api/v4/leads", #"[{"_embedded": {"contacts": [{"id": 999999}]}}]"#),
                (.patch, "/api/v4/leads", #"[{"name": "no id"}]"#), (.patch, "/api/v4/leads/\(deal.id)", #"[{"name": "list"}]"#),
                (.patch, "/api/v4/leads/\(deal.id)", #"{"status_id": 1}"#), (.patch, "/api/v4/leads/\(deal.id)", #"{"name": ""}"#),
                (.patch, "/api/v4/leads/999999", #"{"name": "x"}"#), (.get, "/api/v4/leads?limit=0", nil), (.get, "/api/v4/leads?page=-1", nil),
                (.get, "/api/v4/leads?limit=abc", nil), (.get, "/api/v4/leads/abc", nil), (.get, "/api/v4/nothing", nil),
                (.post, "/api/v4/contacts", #"[{"first_name": ""}]"#),
                (.post, "/api/v4/contacts", #"[{"name": "A", "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "abc"}]}]}]"#),
                (.post, "/api/v4/tasks", #"[{"text": "x", "entity_type": "leads", "entity_id": 999999}]"#),
                (.post, "/api/v4/tasks", #"[{"text": "", "entity_type": "leads", "entity_id": \#(deal.id)}]"#),
                (.post, "/api/v4/tasks", #"[{"text": "x", "entity_type": "leads", "entity_id": \#(deal.id), "complete_till": "soon"}]"#),
                (.patch, "/api/v4/tasks/999999", #"{"is_completed": true}"#), (.get, "/api/v4/leads/pipelines/1", nil),
                (.get, "/api/v4/leads/pipelines/1/statuses/2/x", nil),
            ]
            for (method, path, body) in bad {
                let r = try await api.request(method, path, raw: body)
                #expect((400..<500).contains(r.status), "\(method) \(path) \(body ?? ""): \(r.status) \(r.text)")
            }
            let after = try await t.services.store.read { s in (try await s.offsetDeals(OffsetListQuery()).total, try await s.deal(deal.id)) }
            #expect(after.0 == 1 && after.1.title == "Kept")
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter()) }
            #expect(tasks.isEmpty)
        }
    }

    @Test func everyLostStageIs143WithItsLossReason() async throws {
        try await withAmo { t, api, _ in
            let reasons = Self.embedded(try await api.request(.get, "/api/v4/leads/loss_reasons"), "loss_reasons")
            #expect(reasons.compactMap { $0["name"] as? String } == ["Spam", "Too expensive"])
            let expensive = try #require(reasons.last?["id"] as? Int)
            let pipelines = try await api.request(.get, "/api/v4/leads/pipelines")
            let statuses = (Self.embedded(pipelines, "pipelines").first?["_embedded"] as? [String: Any])?["statuses"] as? [[String: Any]] ?? []
            #expect(statuses.filter { $0["id"] as? Int == 143 }.count == 1, "one lost status stands for every lost stage")

            let first = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Spam"), actor: Actor(kind: .api))
            let second = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Dear"), actor: Actor(kind: .api))
            let spam = try await api.request(.patch, "/api/v4/leads/\(first.id)", json: ["status_id": 143])
            #expect(spam.status == 200, "\(spam.text)")
            let noComment = try await api.request(.patch, "/api/v4/leads/\(second.id)", json: ["status_id": 143, "loss_reason_id": expensive])
            #expect(noComment.status == 400, "that lost stage needs a comment")
            let dear = try await api.request(
                .patch, "/api/v4/leads/\(second.id)", json: ["status_id": 143, "loss_reason_id": expensive, "loss_comment": "Too dear"])
            #expect(dear.status == 200, "\(dear.text)")
            let got = try await api.request(.get, "/api/v4/leads/\(second.id)?with=loss_reason")
            #expect(got.object["status_id"] as? Int == 143 && got.object["loss_reason_id"] as? Int == expensive)
            #expect(((got.object["_embedded"] as? [String: Any])?["loss_reason"] as? [[String: Any]])?.first?["name"] as? String == "Too expensive")
            let again = try await api.request(.patch, "/api/v4/leads/\(second.id)", json: ["status_id": 143, "name": "Still lost"])
            #expect(again.status == 200, "a lost lead sent as 143 stays in its lost stage")
            let deal = try await t.services.store.read { s in try await s.deal(second.id) }
            #expect(deal.stage == "too_expensive" && deal.lossComment == "Too dear" && deal.title == "Still lost")
            let lost = try await api.request(
                .get,
                "/api/v4/leads?filter[statuses][0][pipeline_id]=\(statuses.first?["pipeline_id"] as? Int ?? 0)&filter[statuses][0][status_id]=143")
            #expect(Self.embedded(lost, "leads").count == 2)
        }
    }

    @Test func notesAndCallsBecomeNotesOnTheDeal() async throws {
        try await withAmo { t, api, _ in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Noted"), actor: Actor(kind: .api))
            let common = try await api.request(
                .post, "/api/v4/leads/\(deal.id)/notes", json: [["note_type": "common", "params": ["text": "Asked for a discount"]]])
            #expect(common.status == 200, "\(common.text)")
            let call = try await api.request(
                .post, "/api/v4/leads/notes",
                json: [
                    [
                        "entity_id": deal.id.rawValue, "note_type": "call_in",
                        "params": ["phone": "+79123456789", "duration": 95, "link": "https://pbx.example/r/1.mp3", "uniq": "x", "source": "pbx"],
                    ]
                ])
            #expect(call.status == 200, "\(call.text)")
            let listed = Self.embedded(try await api.request(.get, "/api/v4/leads/\(deal.id)/notes"), "notes")
            let texts = listed.compactMap { ($0["params"] as? [String: Any])?["text"] as? String }
            #expect(texts == ["Asked for a discount", "Incoming call, +79123456789, 95 s, https://pbx.example/r/1.mp3"])
            let bad = try await api.request(
                .post, "/api/v4/leads/notes",
                json: [["entity_id": deal.id.rawValue, "params": ["text": "fine"]], ["entity_id": deal.id.rawValue, "note_type": "geolocation"]])
            #expect(bad.status == 400)
            let empty = try await api.request(.post, "/api/v4/leads/\(deal.id)/notes", json: [["params": ["text": "  "]]])
            #expect(empty.status == 400)
            let notes = try await t.services.store.read { s in try await s.notes(deal: deal.id) }
            #expect(notes.count == 2, "a refused item saves none of the others")
        }
    }

    @Test func everyLeadsNotesAreListedPageByPageForALiveImport() async throws {
        try await withAmo(as: { $0.manager }, scope: .write) { t, api, _ in
            let actor = Actor(kind: .api)
            let mine = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Mine", responsible: t.manager.id), actor: actor)
            let other = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Other", responsible: t.head.id), actor: actor)
            for (deal, text) in [(mine, "first"), (other, "hidden"), (mine, "second"), (mine, "third")] {
                _ = try await t.services.deals.addNote(deal: deal.id, text: text, actor: actor, principal: nil)
            }
            func texts(_ r: APIResponse) -> [String] {
                Self.embedded(r, "notes").compactMap { ($0["params"] as? [String: Any])?["text"] as? String }
            }
            func next(_ r: APIResponse) -> String? {
                ((r.object["_links"] as? [String: Any])?["next"] as? [String: Any])?["href"] as? String
            }
            var all: [String] = []
            var path: String? = "/api/v4/leads/notes?limit=2&order[id]=asc"
            while let current = path {
                let page = try await api.request(.get, current)
                #expect(page.status == 200, "\(page.text)")
                all += texts(page)
                path = next(page).flatMap { URL(string: $0) }.map { $0.path + "?" + ($0.query ?? "") }
            }
            #expect(all == ["first", "second", "third"], "a note on the head's deal, which a manager may not see, is left out")
            let row = try #require(Self.embedded(try await api.request(.get, "/api/v4/leads/notes?limit=1"), "notes").first)
            #expect(row["entity_id"] as? Int == Int(mine.id.rawValue) && row["note_type"] as? String == "common" && row["created_at"] is Int)
            let one = try await api.request(.get, "/api/v4/leads/notes?filter[entity_id][]=\(mine.id)")
            #expect(texts(one) == ["first", "second", "third"])
            let calls = try await api.request(.get, "/api/v4/leads/notes?filter[note_type]=call_in")
            #expect(calls.status == 200 && texts(calls).isEmpty, "every note here is a common one")
        }
    }
}

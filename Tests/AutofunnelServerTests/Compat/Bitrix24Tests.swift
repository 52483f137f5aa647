import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import HTTPTypes
import Testing

/// The Bitrix24 inbound-webhook dialect at `/rest/{userId}/{key}/{method}`, in process.
@Suite("Bitrix24 REST dialect")
struct Bitrix24Tests {
    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    /// Runs `body` with the API client and the webhook prefix `/rest/{admin}/{token}/` of an admin token.
    func withWebhook(
        _ target: StoreTarget = .sqliteMemory, _ body: @escaping @Sendable (TestServices, APITester, String) async throws -> Void
    ) async throws {
        try await TestServices.with(target) { t in
            let token = try await t.token(for: t.admin)
            let prefix = "/rest/\(t.admin.id)/\(token)/"
            try await t.withAPI(anonymous: true) { api in try await body(t, api, prefix) }
        }
    }

    @Test func envelopeHasResultTotalAndTimeWithoutOperating() async throws {
        try await withWebhook { _, api, prefix in
            let r = try await api.request(.get, prefix + "CRM.Category.List.json?entityTypeId=2&unknown=1")
            #expect(r.status == 200, "\(r.text)")
            let categories = (r.object["result"] as? [String: Any])?["categories"] as? [[String: Any]]
            #expect(categories?.count == 1)
            #expect(categories?.first?["id"] as? Int == 0)
            #expect(r.object["total"] as? Int == 1)
            #expect(r.object["next"] == nil)
            let time = r.object["time"] as? [String: Any] ?? [:]
            #expect(Set(time.keys) == ["start", "finish", "duration", "processing", "date_start", "date_finish"])

            let stages = try await api.request(.post, prefix + "crm.status.list", raw: "filter[ENTITY_ID]=DEAL_STAGE", headers: Self.form)
            let rows = stages.object["result"] as? [[String: Any]] ?? []
            #expect(rows.first?["STATUS_ID"] as? String == "NEW")
            #expect(rows.contains { $0["STATUS_ID"] as? String == "WON" && $0["SEMANTICS"] as? String == "S" })
            #expect(rows.contains { $0["STATUS_ID"] as? String == "LOSE" && $0["SEMANTICS"] as? String == "F" })

            let fields = try await api.request(.post, prefix + "crm.deal.fields", json: [:])
            let described = fields.object["result"] as? [String: [String: Any]] ?? [:]
            let subjectKeys = Set(described["UF_CRM_SUBJECT"].map { Array($0.keys) } ?? [])
            let titleKeys = Set(described["TITLE"].map { Array($0.keys) } ?? [])
            #expect(subjectKeys.isSuperset(of: Self.sevenKeys))
            #expect(titleKeys == Self.sevenKeys)
        }
    }

    static let sevenKeys: Set<String> = ["type", "isRequired", "isReadOnly", "isImmutable", "isMultiple", "isDynamic", "title"]

    @Test func errorsAreInBitrix24Format() async throws {
        try await withWebhook { t, api, prefix in
            let token = prefix.split(separator: "/")[2]
            let mismatch = try await api.request(.get, "/rest/\(t.manager.id)/\(token)/crm.deal.list")
            #expect(mismatch.status == 401)
            #expect(mismatch.object["error"] as? String == "INVALID_CREDENTIALS")
            let wrongKey = try await api.request(.get, "/rest/\(t.admin.id)/aft_nope/crm.deal.list")
            #expect(wrongKey.status == 401)
            let unknown = try await api.request(.get, prefix + "crm.nothing.here")
            #expect(unknown.status == 404)
            #expect(unknown.object["error"] as? String == "ERROR_METHOD_NOT_FOUND")
            // No method name at all is an unknown method too, not a sign-in problem.
            for path in [String(prefix.dropLast()), prefix] {
                let empty = try await api.request(.post, path)
                #expect(empty.status == 404 && empty.object["error"] as? String == "ERROR_METHOD_NOT_FOUND", "\(path)")
            }
            // Any verb reads the method's parameters; none ends in another format.
            let deleted = try await api.request(.delete, prefix + "crm.deal.list")
            #expect(deleted.status == 200 && deleted.object["result"] != nil)
            let putUnknown = try await api.request(.put, prefix + "crm.nothing.here")
            #expect(putUnknown.status == 404 && putUnknown.object["error"] as? String == "ERROR_METHOD_NOT_FOUND")
            let missing = try await api.request(.get, prefix + "crm.deal.get?id=999")
            #expect(missing.status == 400)
            #expect(missing.object["error"] as? String == "")
            #expect(missing.object["error_description"] as? String == "Not found")
            #expect(Bitrix24Endpoint.redacted("/rest/1/aft_secret/crm.deal.list") == "/rest/1/***/crm.deal.list")
            #expect(Bitrix24Endpoint.redacted("/api/v1/deals") == "/api/v1/deals")
        }
    }

    /// The calls an integration makes first: who am I, who are the users, what may I call.
    @Test func theCallerTheUsersAndTheMethodsAreListed() async throws {
        try await withWebhook { t, api, prefix in
            let me = try await api.request(.get, prefix + "user.current")
            let row = me.object["result"] as? [String: Any] ?? [:]
            #expect(me.status == 200 && row["ID"] as? String == String(t.admin.id.rawValue) && row["EMAIL"] as? String == t.admin.email)
            let profile = try await api.request(.post, prefix + "profile")
            #expect((profile.object["result"] as? [String: Any])?["ADMIN"] as? Bool == true)
            let one = try await api.request(.get, prefix + "user.get?ID=\(t.manager.id)")
            let rows = one.object["result"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["EMAIL"] as? String } == [t.manager.email] && one.object["total"] as? Int == 1)
            let byMail = try await api.request(.post, prefix + "user.get", json: ["filter": ["EMAIL": t.admin.email.uppercased()]])
            #expect((byMail.object["result"] as? [[String: Any]])?.count == 1)
            let refused = try await api.request(.post, prefix + "user.get", json: ["filter": ["UF_DEPARTMENT": 1]])
            #expect(refused.status == 400 && (refused.object["error_description"] as? String ?? "").contains("UF_DEPARTMENT"))
            let scope = try await api.request(.get, prefix + "scope")
            #expect(scope.object["result"] as? [String] == ["crm", "task", "user"])
            let methods = try await api.request(.get, prefix + "methods").object["result"] as? [String] ?? []
            #expect(methods.contains("crm.deal.list") && methods.contains("user.current"))
            // Every method listed is served: none answers "method not found".
            for method in methods where method != "batch" {
                let r = try await api.request(.post, prefix + method, json: [:])
                #expect(r.object["error"] as? String != "ERROR_METHOD_NOT_FOUND", "\(method)")
            }
            // A read-only token may ask who it is.
            let read = try await t.token(for: t.admin, scope: .read)
            #expect(try await api.request(.get, "/rest/\(t.admin.id)/\(read)/user.current").status == 200)
        }
    }

    /// A deal's history read as Bitrix24's stage history: created, an intermediate stage, then won — from the stage log,
    /// for the deals the caller may see; the whole log pages on by `>ID`.
    @Test(arguments: StoreTarget.available)
    func aDealsStageHistoryIsReadFromTheStageLog(_ target: StoreTarget) async throws {
        try await withWebhook(target) { t, api, prefix in
            let contact = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+79120000000"]))
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Actor(kind: .api))
            _ = try await t.services.deals.move(deal.id, to: "proposal_made", actor: Actor(kind: .api))
            _ = try await t.services.deals.close(deal.id, won: true, reason: nil, comment: nil, actor: Actor(kind: .api))
            let other = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "x"), actor: Actor(kind: .api))
            func items(_ r: APIResponse) -> [[String: Any]] { (r.object["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? [] }
            let mine = try await api.request(
                .post, prefix + "crm.stagehistory.list", json: ["entityTypeId": 2, "filter": ["OWNER_ID": deal.id.rawValue]])
            #expect(items(mine).compactMap { $0["TYPE_ID"] as? Int } == [1, 2, 3] && mine.object["total"] as? Int == 3)
            #expect(items(mine).compactMap { $0["STAGE_ID"] as? String } == ["NEW", "PROPOSAL_MADE", "WON"], "\(items(mine))")
            #expect(items(mine).compactMap { $0["STAGE_SEMANTIC_ID"] as? String } == ["P", "P", "S"])
            let first = try #require(items(mine).first?["ID"] as? Int)
            let after = try await api.request(.post, prefix + "crm.stagehistory.list", json: ["entityTypeId": 2, "filter": [">ID": first]])
            #expect(items(after).compactMap { $0["OWNER_ID"] as? Int } == [Int(deal.id.rawValue), Int(deal.id.rawValue), Int(other.id.rawValue)])
            #expect(after.object["total"] == nil)
            let lead = try await api.request(.post, prefix + "crm.stagehistory.list", json: ["entityTypeId": 1])
            #expect(lead.status == 400)
            // A manager who may not see the deals reads no history of them.
            let manager = try await t.token(for: t.manager)
            let hidden = try await api.request(
                .post, "/rest/\(t.manager.id)/\(manager)/crm.stagehistory.list", json: ["entityTypeId": 2, "filter": ["OWNER_ID": other.id.rawValue]])
            #expect(hidden.status == 200 && items(hidden).isEmpty)
        }
    }

    @Test func readTokenCannotWrite() async throws {
        try await TestServices.with { t in
            let token = try await t.token(for: t.admin, scope: .read)
            try await t.withAPI(anonymous: true) { api in
                let r = try await api.request(.post, "/rest/\(t.admin.id)/\(token)/crm.contact.add", raw: "fields[NAME]=Anna", headers: Self.form)
                #expect(r.status == 403)
                #expect(r.object["error"] as? String == "ACCESS_DENIED")
                let batch = try await api.request(
                    .post, "/rest/\(t.admin.id)/\(token)/batch", json: ["cmd": ["add": "crm.deal.add?fields[TITLE]=x", "list": "crm.deal.list"]])
                let inner = batch.object["result"] as? [String: Any] ?? [:]
                #expect(((inner["result_error"] as? [String: Any])?["add"] as? [String: Any])?["error"] as? String == "ACCESS_DENIED")
                #expect((inner["result"] as? [String: Any])?["list"] != nil)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func dealListPagesByFiftyWithTotalAndNext(_ target: StoreTarget) async throws {
        try await withWebhook(target) { t, api, prefix in
            for i in 1...120 {
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Deal \(i)"), actor: Actor(kind: .api))
            }
            let first = try await api.request(.get, prefix + "crm.deal.list.json?order[ID]=ASC&start=0&")
            #expect((first.object["result"] as? [Any])?.count == 50)
            #expect(first.object["total"] as? Int == 120)
            #expect(first.object["next"] as? Int == 50)
            let last = try await api.request(.get, prefix + "crm.deal.list.json?start=100")
            #expect((last.object["result"] as? [Any])?.count == 20)
            #expect(last.object["next"] == nil)
            let fast = try await api.request(.post, prefix + "crm.deal.list", json: ["start": -1, "order": ["ID": "DESC"], "filter": [">ID": 100]])
            let rows = fast.object["result"] as? [[String: Any]] ?? []
            #expect(rows.count == 20)
            #expect(rows.first?["ID"] as? String == "120")
            #expect(fast.object["total"] == nil && fast.object["next"] == nil)
            let filtered = try await api.request(
                .get, prefix + "crm.deal.list?filter[%3E%3DID]=11&filter[%3C%3DID]=20&filter[STAGE_ID]=NEW&filter[CATEGORY_ID]=0")
            #expect(filtered.object["total"] as? Int == 10)
        }
    }

    /// Every filter key is applied or refused: amounts compare exactly (a JPY deal by its own amount), portal dates
    /// read on the installation's clock, and a key or value the server cannot apply is a 400 naming it, never ignored.
    @Test(arguments: StoreTarget.available)
    func dealFiltersAreAppliedOrRefusedNeverIgnored(_ target: StoreTarget) async throws {
        try await withWebhook(target) { t, api, prefix in
            for (title, amount, currency) in [("a", "999.99", "RUB"), ("b", "1000", "RUB"), ("c", "1000.01", "RUB"), ("d", "5000", "JPY")] {
                var input = DealInput(title: title)
                input.amount = .init(value: amount, currency: currency)
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .api))
            }
            // A deal made a day later: the clock is 2026-11-18 14:06 in Moscow (the installation's zone in tests).
            t.clock.advance(millis: 86_400_000)
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "late"), actor: Actor(kind: .api))
            func titles(_ filter: [String: any Sendable]) async throws -> (Int, [String], String) {
                let r = try await api.request(.post, prefix + "crm.deal.list", json: ["filter": filter, "select": ["TITLE"]])
                let rows = (r.object["result"] as? [[String: Any]] ?? []).compactMap { $0["TITLE"] as? String }
                return (r.status, rows, r.object["error_description"] as? String ?? "")
            }
            #expect(try await titles([">OPPORTUNITY": "1000"]).1 == ["c", "d"])
            #expect(try await titles([">=OPPORTUNITY": "1000", "<OPPORTUNITY": "1000.02"]).1 == ["b", "c"])
            #expect(try await titles(["OPPORTUNITY": "999.99"]).1 == ["a"])
            #expect(try await titles([">=DATE_CREATE": "19.11.2026"]).1 == ["late"])
            #expect(try await titles(["<DATE_CREATE": "19.11.2026 00:00:00"]).1 == ["a", "b", "c", "d"])
            #expect(try await titles([">DATE_CREATE": "2026-11-18T12:00:00Z"]).1 == ["late"])
            for (filter, named) in [
                (["UF_CRM_COLOUR": "red"], "filter[UF_CRM_COLOUR]"), (["ID": "abc"], "filter[ID]"),
                ([">DATE_CREATE": "31.02.2026"], "filter[>DATE_CREATE]"),
                ([">OPPORTUNITY": "1e9"], "filter[>OPPORTUNITY]"), (["STAGE_SEMANTIC_ID": "X"], "filter[STAGE_SEMANTIC_ID]"),
                (["%OPPORTUNITY": "1"], "filter[%OPPORTUNITY]"),
            ] as [([String: any Sendable], String)] {
                let (status, rows, why) = try await titles(filter)
                #expect(status == 400 && rows.isEmpty && why.contains(named), "\(filter): \(status) \(why)")
            }
            let contacts = try await api.request(.post, prefix + "crm.contact.list", json: ["filter": ["PHONE": "+7 900"]])
            #expect(contacts.status == 400 && (contacts.object["error_description"] as? String ?? "").contains("filter[PHONE]"))
        }
    }

    /// `order[OPPORTUNITY]=DESC` sorts by amount, deals without one last, ties by id; unknown order fields are ignored.
    @Test(arguments: StoreTarget.available)
    func dealListOrdersByTheFieldsAsked(_ target: StoreTarget) async throws {
        try await withWebhook(target) { t, api, prefix in
            for (title, amount) in [("a", "300"), ("b", nil), ("c", "100"), ("d", "300"), ("e", "200")] as [(String, String?)] {
                var input = DealInput(title: title)
                input.amount = amount.map { .init(value: $0, currency: "RUB") }
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .api))
            }
            func titles(_ order: [String: String]) async throws -> [String] {
                let r = try await api.request(.post, prefix + "crm.deal.list", json: ["order": order, "select": ["TITLE"]])
                #expect(r.status == 200, "\(r.text)")
                return (r.object["result"] as? [[String: Any]] ?? []).compactMap { $0["TITLE"] as? String }
            }
            #expect(try await titles(["OPPORTUNITY": "DESC"]) == ["a", "d", "e", "c", "b"])
            #expect(try await titles(["OPPORTUNITY": "ASC", "ID": "DESC"]) == ["b", "c", "e", "d", "a"])
            #expect(try await titles(["TITLE": "DESC"]) == ["e", "d", "c", "b", "a"])
            #expect(try await titles(["NO_SUCH_FIELD": "DESC"]) == ["a", "b", "c", "d", "e"])
        }
    }

    /// A deal's activities are its notes: added, read back and listed by `OWNER_ID`; other owners are refused.
    @Test func activitiesAreTheDealsNotes() async throws {
        try await withWebhook { t, api, prefix in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Кухня"), actor: Actor(kind: .api))
            let added = try await api.request(
                .post, prefix + "crm.activity.add",
                json: [
                    "fields": [
                        "OWNER_TYPE_ID": 2, "OWNER_ID": deal.id.rawValue, "TYPE_ID": 2, "SUBJECT": "Звонок", "DESCRIPTION": "Перезвонить в пятницу",
                    ]
                ])
            #expect(added.status == 200, "\(added.text)")
            let id = try #require(added.object["result"] as? Int)
            let notes = try await t.services.store.read { s in try await s.notes(deal: deal.id) }
            #expect(notes.map(\.text) == ["Звонок\nПерезвонить в пятницу"])
            let got = try await api.request(.get, prefix + "crm.activity.get?id=\(id)")
            let row = got.object["result"] as? [String: Any] ?? [:]
            #expect(row["SUBJECT"] as? String == "Звонок" && row["DESCRIPTION"] as? String == "Перезвонить в пятницу")
            #expect(row["OWNER_ID"] as? String == deal.id.description)
            let listed = try await api.request(.get, prefix + "crm.activity.list?filter[OWNER_ID]=\(deal.id)&filter[OWNER_TYPE_ID]=2")
            #expect((listed.object["result"] as? [[String: Any]])?.map { $0["ID"] as? String } == [String(id)])
            #expect(listed.object["total"] as? Int == 1)
            let company = try await api.request(
                .post, prefix + "crm.activity.add", json: ["fields": ["OWNER_TYPE_ID": 4, "OWNER_ID": 1, "SUBJECT": "x"]])
            #expect(company.status == 400 && company.object["error_description"] as? String != nil)
            let empty = try await api.request(
                .post, prefix + "crm.activity.add", json: ["fields": ["OWNER_TYPE_ID": 2, "OWNER_ID": deal.id.rawValue]])
            #expect(empty.status == 400 || empty.status == 422)
            #expect(try await t.services.store.read { s in try await s.notes(deal: deal.id) }.count == 1)
        }
    }

    @Test(arguments: StoreTarget.available)
    func batchSubstitutesEarlierResults(_ target: StoreTarget) async throws {
        try await withWebhook(target) { _, api, prefix in
            let r = try await api.request(
                .post, prefix + "batch",
                json: [
                    "halt": 0,
                    "cmd": [
                        "deal": "crm.deal.add?fields[TITLE]=Batch&fields[CONTACT_ID]=$result[contact]",
                        "contact": "crm.contact.add?fields[NAME]=Anna&fields[PHONE][0][VALUE]=%2B79123456789",
                        "get": "crm.deal.get?id=$result[deal]", "list": "crm.deal.list?filter[ID]=$result[get][ID]",
                        "bad": "crm.deal.get?id=424242",
                    ],
                ])
            #expect(r.status == 200, "\(r.text)")
            let outer = r.object["result"] as? [String: Any] ?? [:]
            #expect(Set(outer.keys) == ["result", "result_error", "result_total", "result_next", "result_time"])
            let results = outer["result"] as? [String: Any] ?? [:]
            let contact = results["contact"] as? Int
            #expect((results["get"] as? [String: Any])?["CONTACT_ID"] as? String == contact.map(String.init))
            #expect(((results["list"] as? [[String: Any]])?.first)?["TITLE"] as? String == "Batch")
            #expect((outer["result_error"] as? [String: Any])?["bad"] != nil)
            #expect((outer["result_total"] as? [String: Any])?["list"] as? Int == 1)
            #expect(outer["result_next"] as? [Any] != nil)

            let halted = try await api.request(
                .post, prefix + "batch", raw: "halt=1&cmd[0]=crm.deal.get%3Fid%3D424242&cmd[1]=crm.contact.add%3Ffields%5BNAME%5D%3DBob",
                headers: Self.form)
            let inner = halted.object["result"] as? [String: Any] ?? [:]
            #expect(inner["result"] as? [Any] != nil)
            #expect((inner["result_error"] as? [Any])?.count == 1)
        }
    }

    @Test func stageChangesGoThroughTheTransitionPath() async throws {
        try await withWebhook { t, api, prefix in
            let contact = try await t.contact()
            let add = try await api.request(.post, prefix + "crm.deal.add", json: ["fields": ["TITLE": "Шкаф", "OPPORTUNITY": "48500"]])
            let id = add.object["result"] as! Int
            let refused = try await api.request(.post, prefix + "crm.deal.update", json: ["id": id, "fields": ["STAGE_ID": "PROCESSING_REQUEST"]])
            #expect(refused.status == 400)
            let text = refused.object["error_description"] as? String ?? ""
            #expect(text.contains("Requirements") || text.contains("Требования"), "\(text)")
            let moved = try await api.request(
                .post, prefix + "crm.deal.update",
                json: [
                    "id": id,
                    "fields": [
                        "STAGE_ID": "PROCESSING_REQUEST", "CONTACT_ID": contact.id.rawValue, "UF_CRM_REQUIREMENTS": "2,4 м",
                    ],
                ])
            #expect(moved.status == 200, "\(moved.text)")
            let log = try await t.services.store.read { s in try await s.stageLog(deal: DealID(Int64(id))) }
            #expect(log.last?.actor.kind == .api)
            let crossed = try await api.request(.post, prefix + "crm.deal.update", json: ["id": id, "fields": ["CATEGORY_ID": 5]])
            #expect(crossed.status == 400)
            let got = try await api.request(.get, prefix + "crm.deal.get?id=\(id)")
            let deal = got.object["result"] as? [String: Any] ?? [:]
            #expect(deal["STAGE_ID"] as? String == "PROCESSING_REQUEST")
            #expect(deal["UF_CRM_REQUIREMENTS"] as? String == "2,4 м")
            #expect(deal["OPPORTUNITY"] as? String == "48500.00")
        }
    }

    @Test func otherCategoriesUsePrefixedStagesAndLossesTakeTheComment() async throws {
        try await withWebhook { t, api, prefix in
            _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "other"))
            let list = try await api.request(.get, prefix + "crm.category.list")
            let categories = (list.object["result"] as? [String: Any])?["categories"] as? [[String: Any]] ?? []
            let other = try #require(categories.first { $0["isDefault"] as? String == "N" }?["id"] as? Int)
            #expect(other > 0)
            let again = try await api.request(.get, prefix + "crm.dealcategory.list")
            #expect((again.object["result"] as? [[String: Any]])?.first?["ID"] as? String == String(other))

            let add = try await api.request(
                .post, prefix + "crm.deal.add", raw: "fields[TITLE]=Other&fields[CATEGORY_ID]=\(other)&fields[STAGE_ID]=NEW", headers: Self.form)
            let id = try #require(add.object["result"] as? Int, "\(add.text)")
            let got = try await api.request(.get, prefix + "crm.deal.get.json?ID=\(id)")
            #expect((got.object["result"] as? [String: Any])?["STAGE_ID"] as? String == "C\(other):NEW")
            let filtered = try await api.request(.get, prefix + "crm.deal.list?filter[CATEGORY_ID]=\(other)&filter[STAGE_ID]=NEW")
            #expect(filtered.object["total"] as? Int == 1)

            let noComment = try await api.request(
                .post, prefix + "crm.deal.update", json: ["id": id, "fields": ["STAGE_ID": "C\(other):TOO_EXPENSIVE"]])
            #expect(noComment.status == 400)
            let lost = try await api.request(
                .post, prefix + "crm.deal.update", json: ["id": id, "fields": ["STAGE_ID": "C\(other):TOO_EXPENSIVE", "COMMENTS": "Too dear"]])
            #expect(lost.status == 200, "\(lost.text)")
            let deal = try await t.services.store.read { s in try await s.deal(DealID(Int64(id))) }
            #expect(deal.status == .lost)
            #expect(deal.lossComment == "Too dear")
        }
    }
}

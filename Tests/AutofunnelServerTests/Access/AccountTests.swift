import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Passwords, throttling, tokens and the audit log")
struct AccountTests {
    static let password = "correct-horse-battery"

    @Test func passwordsAreBcryptCost12AndWeakOnesAreRefused() async throws {
        #expect(PasswordHasher().cost == 12)
        #expect(PasswordHasher.bundledPolicy.common.count >= 1000)
        let hash = try await PasswordHasher().hash("a-long-enough-passphrase")
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(try await PasswordHasher().verify("a-long-enough-passphrase", hash: hash))
        #expect(try await !PasswordHasher().verify("a-long-enough-passphrasE", hash: hash))
        let policy = PasswordHasher.bundledPolicy
        #expect(policy.problems("short1234").map(\.rule) == [.weakPassword])
        #expect(policy.problems("1234567890").map(\.rule) == [.weakPassword], "in the common list")
        #expect(policy.problems("qwertyuiop").map(\.rule) == [.weakPassword])
        #expect(policy.problems("anna@example.com", email: "anna@example.com").map(\.rule) == [.weakPassword])
        #expect(policy.problems("длинный пароль на кириллице").isEmpty)
        let long = String(repeating: "пароль", count: 12)
        #expect(try await PasswordHasher(cost: 4).verify(long, hash: try await PasswordHasher(cost: 4).hash(long)), "over 72 bytes counts in full")
        #expect(try await !PasswordHasher(cost: 4).verify(long + "!", hash: try await PasswordHasher(cost: 4).hash(long)))

        try await TestServices.with { t in
            try await t.withAPI { api in
                let r = try await api.request(
                    .post, "/api/v1/users", json: ["email": "weak@example.com", "name": "Weak", "role": "manager", "password": "password1"])
                #expect(r.status == 422 || r.status == 400)
                #expect(try await t.services.store.read { s in try await s.user(email: "weak@example.com") } == nil)
            }
        }
    }

    @Test func failedSignInsAreThrottledPerAccountWithRetryAfter() async throws {
        try await TestServices.with { t in
            _ = try await t.user("zoya@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                for _ in 0..<5 { #expect(try await api.signIn("zoya@example.com", "wrong-password-1").0.status == 401) }
                let (sixth, _, _) = try await api.signIn("zoya@example.com", Self.password)
                #expect(sixth.status == 429, "even the right password waits")
                #expect(sixth.headers[.retryAfter] == "60")
                t.clock.advance(millis: 61_000)
                #expect(try await api.signIn("zoya@example.com", "wrong-password-2").0.status == 401)
                let (doubled, _, _) = try await api.signIn("zoya@example.com", Self.password)
                #expect(doubled.status == 429)
                #expect(doubled.headers[.retryAfter] == "120", "each further failure doubles the wait")
                t.clock.advance(millis: 121_000)
                #expect(try await api.signIn("zoya@example.com", Self.password).0.status == 200)
                #expect(try await api.signIn("zoya@example.com", "wrong-password-3").0.status == 401, "a success resets the count")
            }
            let actions = try await t.services.store.read { s in try await s.audit(before: nil, limit: 50).items.map(\.action) }
            #expect(actions.filter { $0 == .loginFailed }.count == 7)
            #expect(actions.filter { $0 == .loginThrottled }.count == 2)
            #expect(actions.filter { $0 == .login }.count == 1)
        }
    }

    @Test func failedSignInsAreThrottledPerAddress() async throws {
        try await TestServices.with { t in
            _ = try await t.user("yana@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                for i in 0..<20 { #expect(try await api.signIn("nobody\(i)@example.com", "wrong-password").0.status == 401) }
                let r = try await api.signIn("yana@example.com", Self.password).0
                #expect(r.status == 429, "twenty failures from one address, over several accounts")
                #expect(r.headers[.retryAfter] == "60")
            }
        }
    }

    @Test func aTokenIsShownOnceStoredHashedAndRevocable() async throws {
        try await TestServices.with { t in
            try await t.withAPI(as: t.manager) { api in
                let created = try await api.request(.post, "/api/v1/tokens", json: ["name": "1C export", "scope": "read"])
                #expect(created.status == 201)
                let secret = try #require(created.object["secret"] as? String)
                #expect(secret.hasPrefix("aft_") && secret.count >= 40)
                let id = try #require((created.object["token"] as? [String: Any])?["id"] as? Int)
                let list = try await api.request(.get, "/api/v1/tokens")
                #expect(!list.text.contains(secret), "never listed again")
                #expect(list.text.contains(String(secret.prefix(10))), "a prefix tells tokens apart")

                let rows = try await t.services.store.read { s in try await s.tokens(user: t.manager.id) }
                #expect(rows.contains { $0.id == Int64(id) && $0.lastUsedAt == nil })
                let stored = try await t.services.store.read { s in try await s.token(hash: Secrets.hash(secret)) }
                #expect(stored?.id == Int64(id), "the store finds it by the SHA-256 of the secret")
                #expect(try await t.services.store.read { s in try await s.token(hash: secret) } == nil)

                let reader = api.with(token: secret)
                #expect(try await reader.request(.get, "/api/v1/deals").status == 200)
                #expect(try await reader.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "X"]).status == 403, "read scope")
                let used = try await t.services.store.read { s in try await s.tokens(user: t.manager.id) }.first { $0.id == Int64(id) }
                #expect(used?.lastUsedAt != nil)

                #expect(try await reader.request(.delete, "/api/v1/tokens/\(id)").status == 403, "read scope changes nothing, not even tokens")
                #expect(try await api.request(.delete, "/api/v1/tokens/\(id)").status == 204)
                #expect(try await reader.request(.get, "/api/v1/deals").status == 401)
                let wide = try await reader.request(.post, "/api/v1/tokens", json: ["name": "x", "scope": "admin"])
                #expect(wide.status == 401)
            }
            try await t.withAPI(as: t.manager, scope: .write) { api in
                let wider = try await api.request(.post, "/api/v1/tokens", json: ["name": "wider", "scope": "admin"])
                #expect(wider.status == 403, "a write token cannot mint an admin token")
            }
            let audit = try await t.services.store.read { s in try await s.audit(before: nil, limit: 50).items }
            #expect(audit.contains { $0.action == .tokenCreated && $0.detail?.contains("1C export") == true && $0.actor == t.manager.id })
            #expect(audit.contains { $0.action == .tokenRevoked && $0.ip == "local" })
        }
    }

    @Test func writeEndpointsRefuseFieldsOutsideTheirAllowlist() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Actor(kind: .import))
            try await t.withAPI(as: t.manager) { api in
                let sneaky = try await api.request(
                    .patch, "/api/v1/deals/\(deal.id)", json: ["title": "X", "headOfSalesId": Int(t.manager.id.rawValue)])
                #expect(sneaky.status == 403 && sneaky.fieldList == ["headOfSalesId"] && sneaky.ruleList == ["forbiddenField"])
                let unknown = try await api.request(.patch, "/api/v1/deals/\(deal.id)", json: ["title": "X", "status": "won"])
                #expect(unknown.status == 400, "unknown attributes are not silently dropped")
                let handOver = try await api.request(.patch, "/api/v1/deals/\(deal.id)", json: ["responsibleId": Int(t.head.id.rawValue)])
                #expect(handOver.status == 403 && handOver.fieldList == ["responsibleId"])
                let role = try await api.request(.patch, "/api/v1/users/\(t.manager.id)", json: ["role": "admin"])
                #expect(role.status == 403)
            }
            let after = try await t.services.store.read { s in try await s.deal(deal.id) }
            #expect(after.title == deal.title && after.headOfSales == deal.headOfSales && after.responsible == t.manager.id)
            try await t.withAPI { admin in
                let r = try await admin.request(
                    .post, "/api/v1/users", json: ["email": "x@example.com", "name": "X", "role": "manager", "isAdmin": true])
                #expect(r.status == 400)
            }
        }
    }

    @Test func hiddenFieldsAreAbsentForMarketersAndObservers() async throws {
        try await TestServices.with { t in
            let hidden: [Role: FieldAccess] = [.marketer: .hidden, .observer: .hidden, .manager: .readOnly]
            _ = try await t.services.store.write { s in
                try await s.saveField(
                    FieldDefinition(entity: .deal, key: "margin", type: .text, name: .init(ru: "Маржа", en: "Margin"), access: hidden),
                    declaredBy: nil,
                    at: Fixtures.t0)
            }
            let marketer = try await t.user("mark@example.com", role: .marketer)
            let observer = try await t.user("olga@example.com", role: .observer)
            for u in [marketer, observer] { _ = try await t.services.auth.setGrants(u.id, ["sales": .readAll], by: nil) }
            let contact = try await t.contact()
            var input = t.completeInput(contact: contact)
            input.fields?["margin"] = .string("35%")
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .import))
            _ = try await t.services.deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: Actor(kind: .import))

            try await t.withAPI { admin in
                let full = try await admin.request(.get, "/api/v1/deals/\(deal.id)").object
                #expect((full["fields"] as? [String: Any])?["margin"] as? String == "35%")
                #expect(full["headOfSalesId"] != nil)
            }
            for user in [marketer, observer] {
                try await t.withAPI(as: user) { api in
                    let one = try await api.request(.get, "/api/v1/deals/\(deal.id)")
                    #expect(one.status == 200)
                    #expect((one.object["fields"] as? [String: Any])?["margin"] == nil)
                    #expect(one.object["headOfSalesId"] == nil)
                    #expect(!one.text.contains("35%"))
                    let list = try await api.request(.get, "/api/v1/deals")
                    let ids = (list.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                    #expect(ids == [Int(deal.id.rawValue)] && !list.text.contains("35%") && !list.text.contains("headOfSalesId"))
                    let timeline = try await api.request(.get, "/api/v1/deals/\(deal.id)/timeline")
                    #expect(timeline.status == 200 && !timeline.text.contains("35%"))
                    let people = try await api.request(.get, "/api/v1/contacts/\(contact.id)")
                    #expect(people.status == 200)
                    #expect((people.object["phones"] == nil) == (user.role == .observer), "observers see no contact details")
                }
            }
            try await t.withAPI(as: t.manager) { api in
                let write = try await api.request(.patch, "/api/v1/deals/\(deal.id)", json: ["fields": ["margin": "50%"]])
                #expect(write.status == 403, "closed, and read-only for managers anyway")
            }
        }
    }

    @Test func theAuditLogRecordsAccountChangesWithActorAndAddress() async throws {
        try await TestServices.with { t in
            let user = try await t.user("ira@example.com", role: .manager, password: Self.password)
            try await t.withAPI { admin in
                #expect(try await admin.request(.patch, "/api/v1/users/\(user.id)", json: ["role": "head_of_sales"]).status == 200)
                #expect(
                    try await admin.request(.put, "/api/v1/users/\(user.id)/grants", json: ["grants": [["pipeline": "sales", "level": "write_all"]]])
                        .status == 200)
                let badGrant = try await admin.request(
                    .put, "/api/v1/users/\(user.id)/grants", json: ["grants": [["pipeline": "nope", "level": "own"]]])
                #expect(badGrant.status == 422)
                #expect(try await admin.request(.put, "/api/v1/users/\(user.id)/password", json: ["password": "reset-by-the-admin"]).status == 204)
                let lastAdmin = try await admin.request(.patch, "/api/v1/users/\(t.admin.id)", json: ["active": false])
                #expect(lastAdmin.status == 409, "the last admin cannot lock everyone out")
                let page = try await admin.request(.get, "/api/v1/audit?userId=\(user.id)")
                #expect(page.status == 200)
                let items = page.object["items"] as? [[String: Any]] ?? []
                let actions = items.compactMap { $0["action"] as? String }
                #expect(actions == ["password_changed", "grants_changed", "role_changed", "user_created"])
                #expect(items.allSatisfy { $0["ip"] as? String == "local" || $0["action"] as? String == "user_created" })
                #expect(items.first?["actorId"] as? Int == Int(t.admin.id.rawValue))
            }
            try await t.withAPI(as: t.manager) { api in
                let status = try await api.request(.get, "/api/v1/audit").status
                #expect(status == 403)
            }
        }
    }
}

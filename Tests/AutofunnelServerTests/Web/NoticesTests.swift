import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Notices: a deal handed to someone and a rule failing on their deal reach them; the bell counts the unread; the
/// list marks them read; the kinds they choose come by e-mail, one digest an hour at most.
@Suite("Notices") struct NoticesTests {
    @Test(arguments: StoreTarget.available)
    func handedDealsAndFailedRulesRingTheBellAndComeByMailHourly(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let me = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            let boss = Actor(kind: .user, userID: t.head.id)
            let handed = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Кухня <b>", responsible: me.id), actor: boss)
            _ = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Своя", responsible: me.id), actor: Actor(kind: .user, userID: me.id))
            let other = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: boss)
            _ = try await t.services.deals.update(other.id, input: DealInput(responsible: me.id), actor: boss)
            var definition = Fixtures.salesDefinition()
            definition.automations =
                (definition.automations ?? []) + [
                    AutomationSpec(
                        key: "ghost", trigger: .init(on: "field_changed", field: "title"),
                        actions: [.init(do: "set_responsible", users: ["ghost@example.com"])])
                ]
            _ = try await t.services.pipelines.apply(definition)
            _ = try await t.services.deals.update(handed.id, input: DealInput(title: "Кухня 2"), actor: boss)
            let notices = try await t.services.store.read { s in try await s.notices(user: me.id, unreadOnly: true) }
            #expect(notices.filter { $0.kind == "deal_assigned" }.count == 2, "handed twice by the head; not for a deal taken oneself")
            #expect(notices.filter { $0.kind == "automation_error" }.map(\.deal) == [handed.id])

            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let board = try await web.get("/tasks").text
                #expect(board.contains(#"<span id="bell-count" class="bell-count">3</span>"#))
                let list = try await web.get("/notices").text
                #expect(list.contains("Вам передана сделка «Кухня &lt;b&gt;»") && !list.contains("is now yours"), "in the reader's language, escaped")
                let first = try #require(notices.first)
                #expect(try await web.post("/notices/read", ["id": String(first.id)], from: "/notices").status == 303)
                #expect(try await web.get("/tasks").text.contains(#"class="bell-count">2</span>"#))
                #expect(try await web.post("/notices/read", ["id": "999999"], from: "/notices").status == 404)
                #expect(try await web.post("/notices/mail", ["kind.deal_assigned": "on"], from: "/notices").status == 303)
                #expect(try await web.get("/notices").text.contains(#"id="notice-mail-no-channel""#))
            }
            // No e-mail channel yet: nothing goes out; with one, one digest of the chosen kind, then none for an hour.
            let digests = NoticeDigests(services: t.services)
            #expect(try await digests.sendDue() == 0)
            _ = try await t.services.store.write { s in
                try await s.insertEndpoint(name: "mail", url: "smtp://127.0.0.1:1", secret: "", events: [], at: t.clock.now(), kind: .email)
            }
            #expect(try await digests.sendDue() == 1)
            let sent = try await t.services.store.read { s in try await s.outbox(status: .pending) }.filter { $0.type == "message.email" }
            let payload = try #require(sent.first?.payload)
            #expect(sent.count == 1 && payload.contains("seller@example.com") && payload.contains("Шкаф") && !payload.contains("ghost"))
            _ = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Ещё одна", responsible: me.id), actor: boss)
            #expect(try await digests.sendDue() == 0, "one digest an hour at most")
            t.clock.advance(millis: NoticeDigests.intervalMillis)
            #expect(try await digests.sendDue() == 1)
            #expect(try await digests.sendDue() == 0, "nothing new, nothing sent")
            let all = try await t.services.store.read { s in try await s.outbox(status: .pending) }.filter { $0.type == "message.email" }
            #expect(all.count == 2 && all.contains { $0.payload.contains("Ещё одна") })
        }
    }
}

import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The tasks page by due day, times on the viewer's clock, the profile and the calendar feed. The test clock starts
/// on Wednesday 2026-11-18 at 11:06 UTC, 14:06 in Moscow (the installation's zone in tests).
@Suite("Tasks and time") struct TasksAndTimeTests {
    func seller(_ t: TestServices) async throws -> (User, Deal) {
        let me = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
        let deal = try await t.services.deals.create(
            pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: me.id), actor: Actor(kind: .user, userID: me.id))
        return (me, deal)
    }

    func task(_ t: TestServices, _ deal: Deal, _ title: String, in millis: Int64, kind: DealTask.Kind = .task, to user: User) async throws {
        _ = try await t.services.deals.createTask(
            deal: deal.id, title: title, text: nil, dueAt: Fixtures.t0.adding(millis: millis), assignee: user.id, principal: nil, kind: kind)
    }

    /// The text of one group of the tasks page, empty when the page has no such group.
    func group(_ page: String, _ key: String) -> String {
        guard let start = page.range(of: #"id="tasks-\#(key)""#) else { return "" }
        return page[start.upperBound...].components(separatedBy: "</section>")[0]
    }

    @Test(arguments: StoreTarget.available)
    func theTasksPageGroupsTasksByDayOnTheViewersClock(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (me, deal) = try await seller(t)
            let hour: Int64 = 3_600_000
            try await task(t, deal, "Вчерашний звонок", in: -hour, kind: .call, to: me)
            try await task(t, deal, "Вечером", in: 5 * hour, to: me)
            // 22:06 UTC is already Thursday 01:06 in Moscow: tomorrow there, today in UTC.
            try await task(t, deal, "Ночью", in: 11 * hour, to: me)
            try await task(t, deal, "В пятницу", in: 48 * hour, kind: .meeting, to: me)
            try await task(t, deal, "Через неделю", in: 6 * 24 * hour, to: me)
            try await task(t, deal, "Чужая", in: hour, to: t.manager)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let page = try await web.get("/tasks").text
                #expect(group(page, "overdue").contains("Вчерашний звонок") && group(page, "today").contains("Вечером"))
                #expect(group(page, "tomorrow").contains("Ночью") && group(page, "tomorrow").contains("2026-11-19 01:06"))
                #expect(group(page, "week").contains("В пятницу") && group(page, "later").contains("Через неделю"))
                #expect(!page.contains("Чужая") && page.contains("Europe/Moscow (UTC+03:00)"))
                #expect(!page.contains(#"id="tasks-who""#), "a manager sees only their own tasks")
                let calls = try await web.get("/tasks?kind=call").text
                #expect(calls.contains("Вчерашний звонок") && !calls.contains("Вечером"))
                #expect(try await web.get("/tasks?kind=nap").status == 400)
                #expect(try await web.get("/tasks?pipeline=nope").status == 400)
                // In UTC the night task is still today, at 22:06.
                #expect(try await web.post("/profile", ["timeZone": "UTC", "locale": "ru"], from: "/profile").status == 303)
                let utc = try await web.get("/tasks").text
                #expect(group(utc, "today").contains("Ночью") && group(utc, "today").contains("2026-11-18 22:06"))
                #expect(try await web.post("/profile", ["timeZone": "Mars/Olympus"], from: "/profile").status == 400)
                #expect(try await t.services.store.read { s in try await s.user(me.id) }.timeZone == .utc)
                #expect(try await web.post("/profile", ["timeZone": ""], from: "/profile").status == 303)
                #expect(try await t.services.store.read { s in try await s.user(me.id) }.timeZone == nil, "back to the installation's")
            }
        }
    }

    @Test func headsOfSalesChooseWhoseTasksAndManagersCannot() async throws {
        try await TestServices.with { t in
            let (me, deal) = try await seller(t)
            let lead = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await task(t, deal, "Перезвонить клиенту", in: 3_600_000, to: me)
            t.clock.advance(millis: 2 * 86_400_000)
            try await t.withAPI(anonymous: true) { api in
                let mine = try await WebSession.signIn(api, email: me.email)
                #expect(group(try await mine.get("/tasks").text, "overdue").contains("Перезвонить клиенту"))
                #expect(group(try await mine.get("/tasks?who=\(lead.id)").text, "overdue").contains("Перезвонить"), "who is ignored")
                let web = try await WebSession.signIn(api, email: lead.email)
                let own = try await web.get("/tasks").text
                #expect(own.contains(#"id="tasks-who""#) && !own.contains("Перезвонить клиенту"))
                let everyone = try await web.get("/tasks?who=all").text
                #expect(
                    group(everyone, "overdue").contains("Перезвонить клиенту")
                        && everyone.contains(#"<span class="assignee">seller@example.com</span>"#))
                #expect(group(try await web.get("/tasks?who=\(me.id)").text, "overdue").contains("Перезвонить клиенту"))
                #expect(try await web.get("/tasks?who=999999").status == 400)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func everyonesTasksAreCutToTheViewersPipelinesBeforeTheLimit(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (me, deal) = try await seller(t)
            let lead = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            _ = try await t.services.pipelines.apply(AutomationRunnerTests.chain(2, rules: []))
            _ = try await t.services.auth.setGrants(lead.id, ["chain": .none], by: nil)
            let hidden = try await t.services.deals.create(
                pipeline: "chain", stage: nil, input: DealInput(title: "Тайная", responsible: me.id), actor: Actor(kind: .api))
            // Tasks the lead may not see come first by due time; theirs is last.
            for n in 0..<3 { try await task(t, hidden, "Тайная задача \(n)", in: Int64(n) * 60_000, to: me) }
            try await task(t, deal, "Перезвонить клиенту", in: 3_600_000, to: me)
            let principal = try #require(try await t.services.auth.principal(lead.id, scope: .admin, credential: .session))
            let seen = try await RecordAccess(principal: principal, store: t.services.store).visibleTasks(TaskFilter(status: .open), limit: 2)
            #expect(seen.map(\.task.title) == ["Перезвонить клиенту"])
        }
    }

    @Test func aTaskIsAddedAndMovedOnTheViewersClockAndBackToTheSameList() async throws {
        try await TestServices.with { t in
            let (me, deal) = try await seller(t)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let card = try await web.get("/deals/\(deal.id)").text
                #expect(card.contains(#"value="2026-11-19T10:00""#), "the default is tomorrow at 10:00 in Moscow")
                let added = try await web.post("/deals/\(deal.id)/tasks", ["title": "Позвонить", "due": "2026-11-20T10:00", "kind": "call"])
                #expect(added.status == 303)
                let made = try #require(try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }.first)
                #expect(made.kind == .call && made.dueAt.millis == 1_795_158_000_000, "10:00 Moscow is 07:00 UTC")
                #expect(try await web.post("/deals/\(deal.id)/tasks", ["title": "x", "due": "20.11.2026"]).status == 400)
                let moved = try await web.post(
                    "/tasks/\(made.id)/postpone", ["until": "2026-11-25T09:30", "back": "tasks", "query": "kind=call&next=https://evil.example"])
                #expect(moved.status == 303 && moved.headers[.location] == "/tasks?kind=call")
                #expect(try await t.services.store.read { s in try await s.task(made.id) }.dueAt.millis == 1_795_156_200_000 + 5 * 86_400_000)
                let page = try await web.get("/tasks?kind=call").text
                #expect(page.contains("2026-11-25 09:30") && page.contains("Звонок"))
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theCalendarFeedPublishesOwnOpenTasksUntilTurnedOff(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (me, deal) = try await seller(t)
            try await task(
                t, deal, "Позвонить, уточнить; обсудить \\ скидку " + String(repeating: "очень длинно ", count: 10), in: 86_400_000, to: me)
            try await task(t, deal, "Чужая задача", in: 86_400_000, to: t.manager)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                #expect(try await web.get("/profile").text.contains(#"id="calendar-none""#))
                let made = try await web.post("/profile/calendar", [:], from: "/profile")
                #expect(made.status == 201)
                let url = try #require(
                    made.text.components(separatedBy: #"<code id="calendar-url">"#).dropFirst().first?.components(separatedBy: "<").first)
                let path = try #require(url.range(of: "/calendar/")).lowerBound
                let address = String(url[path...])
                let feed = try await api.request(.get, address)
                #expect(feed.status == 200 && feed.contentType == "text/calendar; charset=utf-8")
                let text = feed.text
                #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
                #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "lines fold at 75 octets")
                let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
                #expect(unfolded.contains(#"SUMMARY:Позвонить\, уточнить\; обсудить \\ скидку"#))
                #expect(unfolded.contains("DTSTART:20261119T110640Z") && unfolded.occurrences(of: "BEGIN:VEVENT") == 1)
                #expect(!unfolded.contains("Чужая задача"))
                #expect(try await web.get("/profile").text.contains(#"id="calendar-since""#))
                // A new address ends the old one; turning it off ends the new one; a disabled user's feed is gone too.
                let again = try await web.post("/profile/calendar", [:], from: "/profile")
                let second = try #require(again.text.components(separatedBy: "/calendar/").dropFirst().first?.components(separatedBy: "<").first)
                #expect(try await api.request(.get, address).status == 404)
                #expect(try await api.request(.get, "/calendar/" + second).status == 200)
                _ = try await t.services.auth.updateUser(me.id, UserChanges(active: false), by: nil)
                #expect(try await api.request(.get, "/calendar/" + second).status == 404)
                _ = try await t.services.auth.updateUser(me.id, UserChanges(active: true), by: nil)
                #expect(try await api.request(.get, "/calendar/" + second).status == 200)
                let web2 = try await WebSession.signIn(api, email: me.email)
                #expect(try await web2.post("/profile/calendar/revoke", [:], from: "/profile").status == 303)
                #expect(try await api.request(.get, "/calendar/" + second).status == 404)
                #expect(try await api.request(.get, "/calendar/nothing").status == 404)
                let audit = try await t.services.store.read { s in try await s.audit(before: nil, limit: 100) }.items.map(\.action)
                #expect(audit.filter { $0 == .calendarFeedCreated }.count == 2 && audit.contains(.calendarFeedRevoked))
            }
        }
    }

    @Test func aRulesDayDueIsTheNextWorkingDayWhenThePipelineSetsHours() async throws {
        try await TestServices.with { t in
            var definition = Fixtures.salesDefinition()
            definition.workingHours = .init(timeZone: "Europe/Moscow", from: "10:00", to: "19:00")
            definition.automations =
                (definition.automations ?? []) + [
                    AutomationSpec(
                        key: "welcome_call", trigger: .init(on: "deal_created"), actions: [.init(do: "create_task", title: "Позвонить", due: "1d")])
                ]
            _ = try await t.services.pipelines.apply(definition)
            // Friday 15:00 in Moscow.
            t.clock.advance(millis: 2 * 86_400_000 + 3_200_000)
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Пятница"), actor: Actor(kind: .api))
            let made = try #require(
                try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }.first { $0.title == "Позвонить" })
            #expect(TimeZoneName.moscow.local(made.dueAt).text == "2026-11-23 10:00")
            let text = try await t.services.pipelines.export("sales")
            #expect(text.contains("workingHours:") && text.contains("timeZone: Europe/Moscow"))
        }
    }
}

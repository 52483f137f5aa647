import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Web pages") struct WebPageTests {
    static let payloads = [#"<script>alert(1)</script>"#, #""><img src=x onerror=alert(1)>"#, "{{7*7}}"]

    func seller(_ t: TestServices) async throws -> User {
        try await t.user("seller@example.com", role: .manager, password: WebSession.password)
    }

    /// A manager who can sign in, and a new deal of theirs in the first stage of the sales fixture.
    func sellerWithDeal(_ t: TestServices) async throws -> (User, Deal) {
        let me = try await seller(t)
        let deal = try await t.services.deals.create(
            pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: me.id), actor: Actor(kind: .user, userID: me.id))
        return (me, deal)
    }

    @Test(arguments: StoreTarget.available)
    func theBoardShowsColumnsWithTotalsAndPagesOf50(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            // A head of sales sees every deal of the pipeline; "mine" narrows to their own.
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            for i in 0..<53 {
                _ = try await t.services.deals.create(
                    pipeline: "sales", stage: nil,
                    input: DealInput(title: "Шкаф \(i)", amount: .init(value: "100", currency: "RUB"), responsible: me.id),
                    actor: Actor(kind: .user, userID: me.id))
            }
            _ = try await t.services.deals.create(
                pipeline: "sales", stage: nil,
                input: DealInput(title: "Иванов, кухня", amount: .init(value: "1500.50", currency: "USD"), responsible: t.manager.id),
                actor: Actor(kind: .api))
            try await t.withAPI(anonymous: true) { api in
                #expect(try await api.request(.get, "/board/sales").status == 303)
                let web = try await WebSession.signIn(api, email: me.email)
                let board = try await web.get("/board/sales")
                #expect(board.status == 200)
                let newLead = try #require(board.text.components(separatedBy: #"data-stage="new_lead""#).dropFirst().first)
                let column = try #require(newLead.components(separatedBy: "<section").first)
                #expect(column.occurrences(of: #"<article class="card""#) == 50)
                #expect(column.contains(#"<span class="column-count">54</span>"#))
                #expect(column.contains("1\u{202F}500.50 USD · 5\u{202F}300 RUB"))
                let more = try #require(
                    column.components(separatedBy: #"class="column-more" href=""#).dropFirst().first?.split(separator: "\"").first)
                let next = try await web.get(String(more).replacingOccurrences(of: "&amp;", with: "&"))
                #expect(next.text.occurrences(of: #"<article class="card""#) == 4)
                // The text search folds case for Cyrillic on both databases; "mine" narrows to the viewer's deals.
                let found = try await web.get("/board/sales?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2")
                #expect(found.text.occurrences(of: #"<article class="card""#) == 1 && found.text.contains("Иванов, кухня"))
                let mine = try await web.get("/board/sales?mine=1")
                #expect(mine.text.occurrences(of: #"<article class="card""#) == 50 && !mine.text.contains("Иванов"))
            }
        }
    }

    @Test func userTextIsShownAsTextOnEveryPage() async throws {
        try await TestServices.with { t in
            let me = try await seller(t)
            let contact = try await t.services.parties.createContact(.init(name: Self.payloads[1], phones: ["+79120000000"]))
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil,
                input: DealInput(
                    title: Self.payloads.joined(separator: " "), responsible: me.id, contact: contact.id,
                    fields: ["requirements": .string(Self.payloads[0])]),
                actor: Actor(kind: .user, userID: me.id))
            _ = try await t.services.deals.createTask(
                deal: deal.id, title: Self.payloads[2] + Self.payloads[0], text: nil, dueAt: t.clock.now(), assignee: me.id, principal: nil)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                for page in ["/board/sales", "/deals/\(deal.id)", "/tasks"] {
                    let text = try await web.get(page).text
                    #expect(!text.contains("<script>alert") && !text.contains("<img src=x"), "\(page) shows markup from user text")
                    #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(page) lost the escaped text")
                    #expect(text.contains("{{7*7}}") && !text.contains(">49<"), "\(page) rendered a template in user text")
                }
                let card = try await web.get("/deals/\(deal.id)").text
                #expect(card.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
            }
        }
    }

    @Test func formsNeedTheSessionsTokenAndRefusalsShowOnTheCard() async throws {
        try await TestServices.with { t in
            let (me, deal) = try await sellerWithDeal(t)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let forged = try await web.post("/deals/\(deal.id)/move", ["stage": "processing_request"], csrf: "0123")
                #expect(forged.status == 403)
                let refused = try await web.post("/deals/\(deal.id)/move", ["stage": "processing_request"])
                #expect(refused.status == 422)
                #expect(refused.text.contains(#"id="deal-errors""#) && refused.text.contains("Требования"))
                // The dialog's values: the deal's own field and a new contact, then the move goes through.
                let filled = try await web.post("/deals/\(deal.id)/fill", ["contact": "Анна", "requirements": "2,4 м"])
                #expect(filled.status == 204)
                let moved = try await web.post("/deals/\(deal.id)/move", ["stage": "processing_request"])
                #expect(moved.status == 303)
                let stored = try await t.services.store.read { s in try await s.dealSnapshot(deal.id) }
                #expect(stored.deal.stage == "processing_request" && stored.contact?.name == "Анна")
                #expect(stored.deal.fields["requirements"] == .string("2,4 м"))
                let card = try await web.get("/deals/\(deal.id)").text
                #expect(card.contains(#"<li data-stage="processing_request" class="current">"#))
                #expect(card.contains("Обработка запроса"))
            }
        }
    }

    @Test func fillRefusesBadValuesAndSavesNothing() async throws {
        try await TestServices.with { t in
            let (me, deal) = try await sellerWithDeal(t)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let bad = try await web.post(
                    "/deals/\(deal.id)/fill", ["amount": "много", "amount.currency": "RUB", "delivery_method": "teleport"])
                #expect(bad.status == 422 && bad.contentType == "application/problem+json")
                #expect(Set(bad.fieldList).isSuperset(of: ["amount.value"]))
                let stored = try await t.services.store.read { s in try await s.deal(deal.id) }
                #expect(stored.amount == nil && stored.fields["delivery_method"] == nil)
            }
        }
    }

    @Test func tasksCanBeAddedPostponedAndCompletedFromTheCard() async throws {
        try await TestServices.with { t in
            let (me, deal) = try await sellerWithDeal(t)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                #expect(try await web.post("/deals/\(deal.id)/tasks", ["title": "Позвонить", "days": "0"]).status == 303)
                let task = try #require(try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: deal.id)) }.first)
                let today = try await web.get("/tasks").text
                #expect(today.contains("Позвонить"))
                #expect(try await web.post("/tasks/\(task.id)/postpone", ["days": "3"]).status == 303)
                let later = try await t.services.store.read { s in try await s.task(task.id) }
                #expect((3 * 86_400_000..<3 * 86_400_000 + 60_000).contains(later.dueAt.millis - task.dueAt.millis))
                let moved = try await web.get("/tasks").text
                #expect(!moved.contains(#"id="tasks-today""#) && moved.contains(#"id="tasks-week""#) && moved.contains("Позвонить"))
                #expect(try await web.post("/tasks/\(task.id)/complete", ["back": "tasks"]).status == 303)
                #expect(try await t.services.store.read { s in try await s.task(task.id) }.status == .done)
                let timeline = try await web.get("/deals/\(deal.id)").text
                #expect(timeline.contains("Задача отложена") && timeline.contains("Задача выполнена"))
            }
        }
    }

    @Test func theLanguageSwitchChangesThePages() async throws {
        try await TestServices.with { t in
            let me = try await seller(t)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                #expect(try await web.get("/tasks").text.contains(#"<html lang="ru">"#))
                #expect(try await web.post("/locale", [:]).status == 303)
                let english = try await web.get("/tasks").text
                #expect(english.contains(#"<html lang="en">"#) && english.contains("Times are shown in"))
            }
        }
    }

    @Test func analyticsDrawTheFunnelAndDownloadCSV() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            let contact = try await t.contact()
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: t.completeInput(contact: contact), actor: Actor(kind: .api))
            _ = try await t.services.deals.move(deal.id, to: "processing_request", actor: Actor(kind: .api))
            _ = try await t.services.deals.close(deal.id, won: false, reason: "too_expensive", comment: "=SUM(A1)", actor: Actor(kind: .api))
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let page = try await web.get("/analytics/sales")
                #expect(page.status == 200 && page.text.contains(#"<svg id="funnel-chart""#))
                // The five open stages and won.
                #expect(page.text.occurrences(of: #"<g class="step"#) == 6)
                #expect(page.text.contains(#"id="loss-reasons""#) && page.text.contains(#"id="forecast""#))
                let csv = try await web.get("/analytics/sales/losses.csv")
                #expect(csv.status == 200 && csv.contentType?.hasPrefix("text/csv") == true)
                #expect(csv.text.contains("'=SUM(A1)"), "a comment that looks like a formula stays text in a spreadsheet")
            }
        }
    }

    @Test func settingsPreviewTheDiffBeforeApplyingANewVersion() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let current = try await t.services.pipelines.export("sales")
                let changed = current.replacingOccurrences(of: "en: Proposal made", with: "en: Proposal sent")
                #expect(changed != current)
                let preview = try await web.post("/settings/pipelines/sales/preview", ["definition": changed], from: "/settings")
                #expect(preview.status == 200)
                #expect(preview.text.contains(#"<span class="del">-     en: Proposal made</span>"#))
                #expect(preview.text.contains(#"<span class="add">+     en: Proposal sent</span>"#))
                let unchanged = try await t.services.store.read { s in try await s.pipeline("sales") }
                #expect(unchanged?.stage("proposal_made")?.name.en == "Proposal made")
                #expect(try await web.post("/settings/pipelines/sales/apply", ["definition": changed], from: "/settings").status == 303)
                let applied = try await t.services.store.read { s in try await s.pipeline("sales") }
                #expect(applied?.stage("proposal_made")?.name.en == "Proposal sent")
                let wrong = try await web.post("/settings/pipelines/sales/apply", ["definition": "key: other\n"], from: "/settings")
                #expect(wrong.status == 422 && wrong.text.contains(#"id="upload-errors""#))
            }
        }
    }
}

import AutofunnelCore
import Foundation
import Testing

@testable import AutofunnelEngine

@Suite("Live import: Bitrix24")
struct Bitrix24SourceTests {
    static let webhook = "https://portal.example/rest/1/k3y/"

    /// A portal with `deals` deals in category 0, each created in NEW and moved to WON, answering single calls and
    /// `batch` as Bitrix24 does (50 a page by `start`, `total`).
    static func portal(deals: Int) -> @Sendable (LiveTransport.Request, Int) -> LiveTransport.Response {
        { request, _ in
            let method = String(request.url.dropFirst(webhook.count).dropLast(".json".count))
            let body = try! JSONDecoder().decode(JSONValue.self, from: request.body ?? Data("{}".utf8))
            func answer(_ method: String, _ start: Int) -> (result: String, total: Int) {
                func page(_ total: Int, _ item: (Int) -> String) -> (String, Int) {
                    ("[" + (start..<min(total, start + 50)).map(item).joined(separator: ",") + "]", total)
                }
                switch method {
                case "crm.category.list": return (#"{"categories":[{"id":0,"name":"Общая","sort":1}]}"#, 1)
                case "crm.status.list":
                    return (
                        #"[{"STATUS_ID":"WON","NAME":"Успех","SORT":"30","SEMANTICS":"S"},{"STATUS_ID":"NEW","NAME":"Новая","SORT":"10"},"#
                            + #"{"STATUS_ID":"LOSE","NAME":"Провал","SORT":"40","EXTRA":{"SEMANTICS":"failure"}}]"#, 3
                    )
                case "user.get": return (#"[{"ID":"1","EMAIL":"boss@example.com"}]"#, 1)
                case "crm.deal.list":
                    return page(deals) { i in
                        #"{"ID":"\#(i + 1)","TITLE":"D\#(i)","CATEGORY_ID":"0","STAGE_ID":"WON","OPPORTUNITY":"100.50","CURRENCY_ID":"USD","#
                            + #""ASSIGNED_BY_ID":"1","DATE_CREATE":"2024-04-25T14:59:11+03:00","CLOSED":"Y","CLOSEDATE":"2024-04-26T10:00:00+03:00"}"#
                    }
                case "crm.stagehistory.list":
                    let (items, total) = page(deals * 2) { i in
                        #"{"ID":\#(i + 1),"TYPE_ID":\#(i % 2 == 0 ? 1 : 3),"OWNER_ID":\#(i / 2 + 1),"CREATED_TIME":"2024-04-25T1\#(i % 2 == 0 ? 5 : 6):00:00+00:00","CATEGORY_ID":0,"STAGE_ID":"\#(i % 2 == 0 ? "NEW" : "WON")"}"#
                    }
                    return (#"{"items":\#(items)}"#, total)
                case "crm.activity.list":
                    return page(4) { i in
                        [
                            #"{"ID":"11","OWNER_TYPE_ID":"2","OWNER_ID":"1","TYPE_ID":"2","SUBJECT":"Звонок","DESCRIPTION":"Просит скидку","#
                                + #""DESCRIPTION_TYPE":"1","CREATED":"2024-04-25T15:30:00+03:00","AUTHOR_ID":"1"}"#,
                            #"{"ID":"12","OWNER_TYPE_ID":"2","OWNER_ID":"2","TYPE_ID":"4","SUBJECT":"Письмо","DESCRIPTION":"<p>Добрый день,</p><p>счёт &amp; договор</p>","#
                                + #""DESCRIPTION_TYPE":"3","CREATED":"2024-04-25T16:30:00+03:00","RESPONSIBLE_ID":"1"}"#,
                            #"{"ID":"13","OWNER_TYPE_ID":"2","OWNER_ID":"2","TYPE_ID":"3","PROVIDER_ID":"TASKS_TASK","SUBJECT":"Задача","CREATED":"2024-04-25T16:30:00+03:00"}"#,
                            #"{"ID":"14","OWNER_TYPE_ID":"3","OWNER_ID":"7","TYPE_ID":"2","SUBJECT":"Контакту","CREATED":"2024-04-25T16:30:00+03:00"}"#,
                        ][i]
                    }
                case "tasks.task.list":
                    let (items, total) = page(3) { i in
                        [
                            #"{"id":"21","title":"КП","description":"Подготовить","responsibleId":"1","createdBy":"1","createdDate":"2024-04-25T15:00:00+03:00","#
                                + #""deadline":"2024-04-27T18:00:00+03:00","status":"5","closedDate":"2024-04-26T12:00:00+03:00","ufCrmTask":["C_7","D_2"]}"#,
                            #"{"ID":"22","TITLE":"Старый портал","CREATED_DATE":"2024-04-25T15:00:00+03:00","STATUS":"2","UF_CRM_TASK":["D_1"]}"#,
                            #"{"id":"23","title":"Без сделки","createdDate":"2024-04-25T15:00:00+03:00","status":"2","ufCrmTask":["C_7"]}"#,
                        ][i]
                    }
                    return (#"{"tasks":\#(items)}"#, total)
                default: return ("[]", 0)
                }
            }
            if method == "batch" {
                let commands = body[lenient: "cmd"]?.lenientObject ?? [:]
                #expect(commands.count <= 50)
                let parts = commands.map { label, command -> (String, String, Int) in
                    let text = command.lenientText ?? ""
                    let name = String(text.prefix { $0 != "?" })
                    let start =
                        text.split(separator: "&").first { $0.hasPrefix("start=") || $0.contains("?start=") }.flatMap {
                            Int($0.split(separator: "=").last!)
                        } ?? 0
                    let (result, total) = answer(name, start)
                    return (label, result, total)
                }
                let results = parts.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",")
                let totals = parts.map { #""\#($0.0)":\#($0.2)"# }.joined(separator: ",")
                return .json(#"{"result":{"result":{\#(results)},"result_error":[],"result_total":{\#(totals)},"result_next":[],"result_time":[]}}"#)
            }
            let (result, total) = answer(method, Int(body[lenient: "start"]?.lenientInt ?? 0))
            return .json(#"{"result":\#(result),"total":\#(total)}"#)
        }
    }

    static func fetch(_ transport: RecordingTransport, _ folder: PageFolder) async throws -> LiveSnapshot {
        let fetcher = LiveFetcher(
            transport: transport.transport, limiter: RateLimiter(rate: Bitrix24Source.rate, burst: Bitrix24Source.burst, clock: transport.clock.live),
            clock: transport.clock.live, folder: folder.url)
        return try await Bitrix24Source(webhook: webhook).fetch(fetcher)
    }

    @Test func theFirstPageSaysTheTotalAndBatchFetchesTheRestFiftyAtATime() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.portal(deals: 2_600))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        #expect(snapshot.deals.count == 2_600 && snapshot.moves.count == 5_200)
        #expect(Set(snapshot.deals.map(\.id)).count == 2_600, "every page once")
        let methods = transport.requests.map { String($0.url.dropFirst(Self.webhook.count)) }
        // deals: 52 pages = the first + 51 by batch (50 + 1); history: 104 pages = the first + 103 (50 + 50 + 3).
        #expect(methods.filter { $0 == "crm.deal.list.json" }.count == 1)
        #expect(methods.filter { $0 == "batch.json" }.count == 1 + 2 + 3, "stages, deals, history")
        #expect(transport.requests.count < 20, "\(methods)")
        #expect(RateLimiterTests.most(transport.times, within: 10) <= Int(Bitrix24Source.burst) + 20, "2 a second with a small burst")

        let again = RecordingTransport(clock: clock, answer: Self.portal(deals: 2_600))
        _ = try await Self.fetch(again, folder)
        #expect(again.requests.isEmpty, "every page is in the work folder")
    }

    @Test func stagesComeInSortOrderWithSemanticsAndHistoryChainsItsOrigins() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.portal(deals: 2))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        #expect(snapshot.pipelines.first?.statuses.map(\.id) == ["NEW", "WON", "LOSE"])
        #expect(snapshot.pipelines.first?.statuses.map(\.outcome) == [nil, .won, .lost])
        #expect(snapshot.moves.filter { $0.deal == "2" }.map { "\($0.from ?? "-")>\($0.to)" } == ["->NEW", "NEW>WON"])
        let deal = try #require(snapshot.deals.first)
        #expect(deal.amount == "100.50" && deal.currency == "USD" && deal.createdAt == ImportDates().parse("2024-04-25T11:59:11Z"))
        let files = LiveFiles(folder: folder.url)
        try files.write(snapshot, stages: LiveStages(remote: snapshot.pipelines, existing: []))
        let history = try String(contentsOf: files.history, encoding: .utf8)
        #expect(
            history.contains("1,obshchaya,,novaya,2024-04-25T15:00:00.000Z,import,,")
                && history.contains("1,obshchaya,novaya,uspekh,2024-04-25T16:00:00.000Z"))
    }

    @Test func dealActivitiesBecomeNotesAndTasksOnDealsKeepTheirStatus() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.portal(deals: 2))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        #expect(
            snapshot.notes.map(\.text) == ["Звонок\nПросит скидку", "Письмо\nДобрый день,\nсчёт & договор"], "subject, then the description as text")
        #expect(snapshot.notes.map(\.author) == ["1", "1"] && snapshot.notes.first?.at == ImportDates().parse("2024-04-25T12:30:00Z"))
        #expect(snapshot.skippedNotes == 2, "a task's activity and a contact's")
        #expect(snapshot.tasks.map(\.deal) == ["2", "1"] && snapshot.skippedTasks == 1)
        let done = try #require(snapshot.tasks.first)
        #expect(done.status == .done && done.text == "Подготовить" && done.doneAt == ImportDates().parse("2024-04-26T09:00:00Z"))
        #expect(done.dueAt == ImportDates().parse("2024-04-27T15:00:00Z") && done.responsible == "1" && done.author == "1")
        #expect(snapshot.tasks.last?.title == "Старый портал" && snapshot.tasks.last?.dueAt == nil, "upper-case keys as older portals write them")
        let files = LiveFiles(folder: folder.url)
        try files.write(snapshot, stages: LiveStages(remote: snapshot.pipelines, existing: []))
        let tasks = try String(contentsOf: files.tasks, encoding: .utf8)
        #expect(tasks.contains("22,1,Старый портал,,,,,2024-04-25T12:00:00.000Z,open,,"))
    }

    @Test func aBadWebhookAddressIsRefusedWithWhatItShouldLookLike() {
        #expect(throws: LiveImportError.self) { try Bitrix24Source(webhook: "portal.example/KEY") }
        #expect(Bitrix24Source.masked("https://p.example/rest/7/abc123/batch.json") == "https://p.example/rest/7/***/batch.json")
    }
}

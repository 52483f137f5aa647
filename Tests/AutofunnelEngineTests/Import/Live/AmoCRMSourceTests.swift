import AutofunnelCore
import Foundation
import Testing

@testable import AutofunnelEngine

@Suite("Live import: amoCRM")
struct AmoCRMSourceTests {
    static let pipelines = """
        {"_embedded":{"pipelines":[{"id":11,"name":"Продажи","_embedded":{"statuses":[
          {"id":143,"name":"Закрыто и не реализовано","sort":11000},{"id":142,"name":"Успешно реализовано","sort":10000},
          {"id":21,"name":"Первичный контакт","sort":10},{"id":22,"name":"Переговоры","sort":20}]}}]}}
        """
    static let reasons = #"{"_embedded":{"loss_reasons":[{"id":7,"name":"Дорого"}]}}"#

    /// An account of `leads` leads, each moved 21 → 22, paged as amoCRM pages them; `next` links point to another
    /// host, which the import must not follow.
    static func account(leads: Int) -> @Sendable (LiveTransport.Request, Int) -> LiveTransport.Response {
        { request, _ in
            let url = URLComponents(string: request.url)!
            let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
            let (page, limit) = (Int(query["page"] ?? "1")!, Int(query["limit"] ?? "50")!)
            func list(_ key: String, _ total: Int, _ item: (Int) -> String) -> LiveTransport.Response {
                let range = ((page - 1) * limit)..<min(total, page * limit)
                guard !range.isEmpty else { return .init(status: 204) }
                let next = range.upperBound < total ? #","next":{"href":"https://evil.example/steal?page=\#(page + 1)"}"# : ""
                return .json(
                    #"{"_page":\#(page),"_links":{"self":{"href":"x"}\#(next)},"_embedded":{"\#(key)":[\#(range.map(item).joined(separator: ","))]}}"#
                )
            }
            switch url.path {
            case "/api/v4/leads/pipelines": return .json(pipelines)
            case "/api/v4/leads/loss_reasons": return .json(reasons)
            case "/api/v4/users": return .json(#"{"_embedded":{"users":[{"id":5,"email":"anna@example.com"}]}}"#)
            case "/api/v4/leads":
                return list("leads", leads) { i in
                    let lost = i % 2 == 0
                    return #"{"id":\#(1000 + i),"name":"Deal \#(i)","price":1500,"pipeline_id":11,"status_id":\#(lost ? 143 : 22),"#
                        + #""loss_reason_id":\#(lost ? "7" : "null"),"responsible_user_id":5,"created_at":1700000000,"closed_at":1700100000,"#
                        + #""_embedded":{"contacts":[{"id":\#(3000 + i),"is_main":true}]}}"#
                }
            case "/api/v4/contacts":
                return list("contacts", leads) { i in
                    #"{"id":\#(3000 + i),"name":"C \#(i)","created_at":1700000000,"custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+7 900 000-00-\#(i % 100)"}]}]}"#
                }
            case "/api/v4/companies": return .init(status: 204)
            case "/api/v4/events":
                #expect(query["filter[type]"] == "lead_status_changed")
                return list("events", leads * 2) { i in
                    let lead = 1000 + i / 2
                    let (from, to) = i % 2 == 0 ? (21, 22) : (22, lead % 2 == 0 ? 143 : 22)
                    return #"{"id":"e\#(i)","type":"lead_status_changed","entity_id":\#(lead),"created_by":5,"created_at":\#(1700000100 + i),"#
                        + #""value_before":[{"lead_status":{"id":\#(from),"pipeline_id":11}}],"value_after":[{"lead_status":{"id":\#(to),"pipeline_id":11}}]}"#
                }
            case "/api/v4/leads/notes":
                #expect(query["order[id]"] == "asc")
                return list("notes", 3) { i in
                    switch i {
                    case 0:
                        return
                            #"{"id":501,"entity_id":1000,"created_by":5,"created_at":1700000200,"note_type":"common","params":{"text":"Перезвонить\nзавтра"}}"#
                    case 1:
                        return #"{"id":502,"entity_id":1001,"created_by":0,"responsible_user_id":5,"created_at":1700000300,"note_type":"call_in","#
                            + #""params":{"phone":"+79001112233","duration":42,"link":"https://pbx.example/1.mp3","uniq":"u","source":"pbx"}}"#
                    default:
                        return
                            #"{"id":503,"entity_id":1000,"created_by":0,"created_at":1700000400,"note_type":"service_message","params":{"text":"Робот"}}"#
                    }
                }
            case "/api/v4/tasks":
                return list("tasks", 3) { i in
                    switch i {
                    case 0:
                        return #"{"id":701,"entity_type":"leads","entity_id":1000,"text":"Позвонить","responsible_user_id":5,"created_by":5,"#
                            + #""created_at":1700000100,"updated_at":1700009000,"complete_till":1700086400,"is_completed":true,"result":{"text":"Договорились"}}"#
                    case 1:
                        return
                            #"{"id":702,"entity_type":"contacts","entity_id":3000,"text":"По контакту","created_at":1700000100,"is_completed":false,"result":[]}"#
                    default:
                        return
                            #"{"id":703,"entity_type":"leads","entity_id":1001,"text":"\#(String(repeating: "Длинная задача ", count: 40))\nподробности","#
                            + #""created_at":1700000100,"complete_till":1700086400,"is_completed":false,"result":[]}"#
                    }
                }
            default: return .init(status: 404)
            }
        }
    }

    static func fetch(_ transport: RecordingTransport, _ folder: PageFolder) async throws -> LiveSnapshot {
        let fetcher = LiveFetcher(
            transport: transport.transport, limiter: RateLimiter(rate: AmoCRMSource.rate, clock: transport.clock.live),
            clock: transport.clock.live, folder: folder.url)
        return try await AmoCRMSource(url: "https://acme.amocrm.ru/api/v4/", token: "t0k").fetch(fetcher)
    }

    @Test func listsArePagedOnTheAccountsOwnAddressUntilNoNextLink() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.account(leads: 600))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        #expect(snapshot.deals.count == 600 && snapshot.contacts.count == 600 && snapshot.moves.count == 1200)
        let leadPages = transport.requests.filter { $0.url.contains("/api/v4/leads?") }
        #expect(leadPages.count == 3, "250 + 250 + 100")
        #expect(leadPages.allSatisfy { $0.url.hasPrefix("https://acme.amocrm.ru/api/v4/leads?with=contacts,loss_reason&limit=250&page=") })
        #expect(transport.requests.filter { $0.url.contains("/events?") }.count == 12, "1200 events, 100 a page")
        #expect(!transport.requests.contains { $0.url.contains("evil.example") })
        #expect(transport.requests.allSatisfy { $0.headers.contains { $0 == ("Authorization", "Bearer t0k") } })
        #expect(RateLimiterTests.most(transport.times, within: 1) <= 7)
    }

    @Test func aCutRunFetchesOnlyThePagesItLacks() async throws {
        let clock = SteppingClock()
        let folder = PageFolder()
        defer { folder.remove() }
        let first = RecordingTransport(clock: clock, answer: Self.account(leads: 600))
        _ = try await Self.fetch(first, folder)
        for name in ["events-000007", "leads-000003"] { try FileManager.default.removeItem(at: folder.url.appendingPathComponent(name + ".json")) }
        let second = RecordingTransport(clock: clock, answer: Self.account(leads: 600))
        let snapshot = try await Self.fetch(second, folder)
        #expect(second.requests.map(\.url).map { URLComponents(string: $0)!.path } == ["/api/v4/leads", "/api/v4/events"])
        #expect(snapshot.deals.count == 600 && snapshot.moves.count == 1200)
    }

    @Test func statusesBecomeStagesAndEventsTheDealsHistory() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.account(leads: 4))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        let stages = LiveStages(remote: snapshot.pipelines, existing: [])
        let definition = try #require(stages.definitions(order: snapshot.pipelines).first)
        #expect(definition.key == "prodazhi")
        #expect(definition.stages.map(\.key) == ["pervichnyy_kontakt", "peregovory", "uspeshno_realizovano", "zakryto_i_ne_realizovano", "dorogo"])
        #expect(definition.stages.map(\.outcome) == [nil, nil, .won, .lost, .lost])
        #expect(stages.stage(pipeline: "11", status: "143/7")?.1 == "dorogo", "a loss reason is a lost stage")

        let files = LiveFiles(folder: folder.url)
        let counts = try files.write(snapshot, stages: stages)
        #expect(counts.deals == 4 && counts.moves == 6, "the second event of an open lead (22 → 22) moves nothing")
        let history = try String(contentsOf: files.history, encoding: .utf8).split(separator: "\r\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        let lead1000 = history.filter { $0.first == "1000" }.map { "\($0[2])>\($0[3])@\($0[4])|\($0[6])" }
        #expect(
            lead1000 == [
                ">pervichnyy_kontakt@2023-11-14T22:13:20.000Z|", "pervichnyy_kontakt>peregovory@2023-11-14T22:15:00.000Z|anna@example.com",
                "peregovory>dorogo@2023-11-14T22:15:01.000Z|anna@example.com",
            ], "created in the first stage, then its moves with their times and who made them; 143 is the lead's loss reason")
        let deals = try String(contentsOf: files.deals, encoding: .utf8)
        #expect(deals.contains("1000,prodazhi,dorogo,,Deal 0,1500,RUB,anna@example.com,,3000,C 0,+7 900 000-00-0,"))
    }

    @Test func leadNotesAndTasksAreReadAndTheOthersCountedAsLeftOut() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock, answer: Self.account(leads: 4))
        let folder = PageFolder()
        defer { folder.remove() }
        let snapshot = try await Self.fetch(transport, folder)
        #expect(
            snapshot.notes == [
                RemoteNote(id: "501", deal: "1000", at: Timestamp(millis: 1_700_000_200_000), author: "5", text: "Перезвонить\nзавтра"),
                RemoteNote(
                    id: "502", deal: "1001", at: Timestamp(millis: 1_700_000_300_000), author: "5",
                    text: "Incoming call, +79001112233, 42 s, https://pbx.example/1.mp3"),
            ])
        #expect(snapshot.skippedNotes == 1, "a service message")
        #expect(snapshot.tasks.map(\.id) == ["701", "703"] && snapshot.skippedTasks == 1, "a contact's task is left out")
        let done = try #require(snapshot.tasks.first)
        #expect(done.status == .done && done.doneAt == Timestamp(millis: 1_700_009_000_000) && done.result == "Договорились")
        let long = try #require(snapshot.tasks.last)
        #expect(long.title.count == 500 && long.text?.hasSuffix("\nподробности") == true && long.status == .open)

        let files = LiveFiles(folder: folder.url)
        let counts = try files.write(snapshot, stages: LiveStages(remote: snapshot.pipelines, existing: []))
        #expect(counts.notes == 2 && counts.tasks == 2 && counts.skippedNotes == 1 && counts.skippedTasks == 1)
        let notes = try String(contentsOf: files.notes, encoding: .utf8)
        #expect(notes.hasPrefix("id,deal_id,at,author,text\r\n501,1000,2023-11-14T22:16:40.000Z,anna@example.com,\"Перезвонить\nзавтра\"\r\n"))
        let tasks = try String(contentsOf: files.tasks, encoding: .utf8)
        #expect(
            tasks.contains(
                "701,1000,Позвонить,,2023-11-15T22:13:20.000Z,anna@example.com,anna@example.com,2023-11-14T22:15:00.000Z,done,2023-11-15T00:43:20.000Z,Договорились"
            ))
    }

    @Test func anExistingPipelineIsUsedAndItsStagesMatchedByName() throws {
        let here = try #require(
            try? PipelineDefinition(
                key: "sales", name: .init(ru: "Продажи", en: "Sales"),
                stages: [
                    .init(key: "first", name: .init(ru: "Первичный контакт", en: "First contact"), kind: .process),
                    .init(key: "talks", name: .init(ru: "Переговоры", en: "Talks"), kind: .process),
                    .init(key: "won", name: .init(ru: "Успех", en: "Won"), kind: .conversion, outcome: .won),
                    .init(key: "price", name: .init(ru: "Дорого", en: "Too expensive"), kind: .conversion, outcome: .lost),
                    .init(key: "other", name: .init(ru: "Другое", en: "Other"), kind: .conversion, outcome: .lost),
                ]
            ).validated(knownFields: FieldCatalog()).get())
        let remote = AmoCRMMapping.pipelines(
            try LivePaging.json(Data(Self.pipelines.utf8), url: "p"), lossReasons: try LivePaging.json(Data(Self.reasons.utf8), url: "r"))
        let stages = LiveStages(remote: remote, existing: [here])
        #expect(stages.definitions(order: remote).isEmpty, "nothing to create")
        #expect(stages.entries["11"]?.key == "sales")
        #expect(stages.entries["11"]?.stages == ["21": "first", "22": "talks", "142": "won", "143": "price", "143/7": "price"])
    }

    @Test func numbersOutOfRangeAreSkippedNotTrusted() throws {
        let leads = try LivePaging.json(
            Data(
                #"[{"id":1e300,"pipeline_id":1,"status_id":2},{"id":5,"pipeline_id":1,"status_id":2,"created_at":-5,"price":99999999999999999999}]"#
                    .utf8),
            url: "l")
        let read = AmoCRMMapping.leads(leads.lenientItems)
        #expect(read.map(\.id) == ["5"])
        #expect(read.first?.amount == nil && read.first?.createdAt == Timestamp(millis: 0))
    }
}

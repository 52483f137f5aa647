import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@testable import AutofunnelEngine

/// Notes and tasks from files of their own, after the deals: on the deal their `deal_id` names in the same source,
/// once, with their own times and people.
@Suite("Import: notes and tasks")
struct ImportNotesTests {
    static let notes = """
        id,deal_id,at,author,text
        n1,101,31.01.2026 12:00:00,manager@example.com,Первая заметка
        n2,102,2026-02-02T10:00:00Z,stranger@example.com,Без известного автора
        n3,103,2026-02-02T10:00:00Z,,На отказанной сделке
        n1,101,2026-02-03T10:00:00Z,,Тот же id
        n4,101,вчера,,Плохая дата
        ,102,2026-02-04T10:00:00Z,,Без id
        n5,101,2026-02-05T10:00:00Z,head@example.com,"Две строки,
        с запятой"
        """

    static let tasks = """
        id,deal_id,title,text,due_at,responsible,author,created_at,status,done_at,result
        t1,101,Позвонить,,2026-02-10T09:00:00Z,head@example.com,manager@example.com,2026-02-01T09:00:00Z,open,,
        t2,102,Отправить КП,Подробно,2026-02-03T09:00:00Z,,,2026-02-01T10:00:00Z,done,2026-02-02T15:00:00Z,Отправили
        t3,999,Чужая,,2026-02-03T09:00:00Z,,,2026-02-01T10:00:00Z,open,,
        t4,101,,,2026-02-03T09:00:00Z,,,2026-02-01T10:00:00Z,open,,
        t5,101,Закрытая,,,,,2026-02-01T11:00:00Z,closed,,
        """

    static func moment(_ text: String) -> Timestamp { ImportDates().parse(text)! }

    @Test func notesAndTasksArriveOnceOnTheirDealsWithTheirTimesAndAnUnknownDealIsRefusedWithItsRow() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let deals = try files.write("deals.csv", ImportServiceTests.amoCRM)
        let mapping = ImportServiceTests.mapping
        _ = try await t.services.imports.run(.init(file: deals, mapping: mapping, skipUnmapped: true))
        let (notesFile, tasksFile) = (try files.write("notes.csv", Self.notes), try files.write("tasks.csv", Self.tasks))

        let notes = try await t.services.imports.importNotes(.init(file: notesFile, mapping: mapping))
        #expect(notes.rows == 7 && notes.created == 4 && notes.unchanged == 0)
        #expect(notes.refused.map(\.row) == [4, 5, 6], "an unknown deal (103 was refused), an id twice, no moment")
        #expect(notes.refused.first?.column == "notes file: deal_id" && notes.refused.first?.message.contains("103") == true)
        let tasks = try await t.services.imports.importTasks(.init(file: tasksFile, mapping: mapping))
        #expect(tasks.rows == 5 && tasks.created == 3)
        #expect(tasks.refused.map(\.row) == [4, 5] && tasks.refused.map(\.column) == ["tasks file: deal_id", "tasks file: title"])

        let ours = try await t.services.store.read { s in try await s.localIDs(.deal, source: "amocrm", externalIDs: ["101", "102"]) }
        let (d101, d102) = (DealID(ours["101"]!), DealID(ours["102"]!))
        let (notes101, notes102, tasks101, tasks102, timeline101) = try await t.services.store.read { s in
            (
                try await s.notes(deal: d101), try await s.notes(deal: d102), try await s.tasks(TaskFilter(deal: d101)),
                try await s.tasks(TaskFilter(deal: d102)), try await s.timeline(deal: d101)
            )
        }
        #expect(notes101.map(\.text) == ["Первая заметка", "Две строки,\nс запятой"])
        #expect(notes101.map(\.createdAt) == [Self.moment("2026-01-31T09:00:00Z"), Self.moment("2026-02-05T10:00:00Z")], "Moscow time read")
        #expect(notes101.map(\.author) == [t.manager.id, t.head.id])
        #expect(
            notes102.map(\.text) == ["Без известного автора", "Отправить КП: Отправили", "Без id"] && notes102[0].author == nil,
            "a done task's result is a note at its completion")
        let noted = timeline101.filter { $0.kind == "note" }
        #expect(noted.map(\.text) == notes101.map(\.text) && noted.allSatisfy { $0.actor?.kind == .import })
        #expect(timeline101.map(\.at) == timeline101.map(\.at).sorted(), "the timeline in time order, imported entries among the others")

        let open = try #require(tasks101.first { $0.title == "Позвонить" })
        #expect(open.status == .open && open.assignee == t.head.id && open.creator == t.manager.id)
        #expect(open.dueAt == Self.moment("2026-02-10T09:00:00Z") && open.createdAt == Self.moment("2026-02-01T09:00:00Z"))
        let closed = try #require(tasks101.first { $0.title == "Закрытая" })
        #expect(closed.status == .closed && closed.dueAt == closed.createdAt && closed.completedAt == closed.createdAt)
        let done = try #require(tasks102.first)
        #expect(done.status == .done && done.text == "Подробно" && done.completedAt == Self.moment("2026-02-02T15:00:00Z"))
        let responsible = try await t.services.store.read { s in try await s.deal(d102).responsible }
        #expect(done.assignee == responsible, "no responsible in the file: the deal's")

        let again = try await t.services.imports.importNotes(.init(file: notesFile, mapping: mapping))
        #expect(again.created == 0 && again.unchanged == 4 && again.refused.map(\.row) == [4, 5, 6])
        let tasksAgain = try await t.services.imports.importTasks(.init(file: tasksFile, mapping: mapping))
        #expect(tasksAgain.created == 0 && tasksAgain.unchanged == 3)
        let counts = try await t.services.store.read { s in
            (
                try await s.notes(deal: d101).count + (try await s.notes(deal: d102).count),
                try await s.tasks(TaskFilter(), limit: 100).count, try await s.timeline(deal: d101).count
            )
        }
        #expect(counts.0 == 5 && counts.1 == 3 && counts.2 == timeline101.count, "the second run writes nothing")
    }

    @Test func aDryRunCountsRowsOnDealsTheSameRunWouldCreate() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let deals = try files.write("deals.csv", ImportServiceTests.amoCRM)
        let summary = try await t.services.imports.run(.init(file: deals, mapping: ImportServiceTests.mapping, dryRun: true))
        #expect(summary.checkedIDs == ["101", "102"])
        let notes = try await t.services.imports.importNotes(
            .init(file: try files.write("notes.csv", Self.notes), mapping: ImportServiceTests.mapping, dryRun: true, pendingDeals: summary.checkedIDs)
        )
        #expect(notes.created == 4 && notes.refused.map(\.row) == [4, 5, 6])
        #expect(try await t.services.store.read { s in try await s.notes(after: nil, limit: 10).items.isEmpty })
    }

    @Test func exportedNotesAndTasksImportBackAsTheyWere() async throws {
        let source = try await TestServices.make()
        let target = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let contact = try await source.contact()
        let deal = try await source.services.deals.create(
            pipeline: "sales", stage: nil, input: source.completeInput(contact: contact), actor: Actor(kind: .api))
        let manager = Principal(user: source.manager)
        _ = try await source.services.deals.addNote(deal: deal.id, text: "=1+1 looks like a formula", actor: manager.actor, principal: nil)
        source.clock.advance(millis: 60_000)
        _ = try await source.services.deals.addNote(deal: deal.id, text: "Две строки\nвторая", actor: manager.actor, principal: nil)
        let due = source.clock.now().adding(millis: 86_400_000)
        let call = try await source.services.deals.createTask(
            deal: deal.id, title: "Позвонить", text: "Про доставку", dueAt: due, assignee: source.head.id, principal: manager)
        _ = try await source.services.deals.createTask(deal: deal.id, title: "Открытая", text: nil, dueAt: due, assignee: nil, principal: nil)
        source.clock.advance(millis: 60_000)
        _ = try await source.services.deals.completeTask(call.id, result: "Дозвонились", principal: manager)

        let export = ExportService(store: source.services.store, pageSize: 1)
        let (dealsFile, notesFile, tasksFile) = (
            files.folder.appendingPathComponent("deals.csv"), files.folder.appendingPathComponent("notes.csv"),
            files.folder.appendingPathComponent("tasks.csv")
        )
        try await ImportRoundTripTests.write(export.deals(DealFilter(), reader: nil), to: dealsFile)
        try await ImportRoundTripTests.write(export.notes(reader: nil), to: notesFile)
        try await ImportRoundTripTests.write(export.tasks(reader: nil), to: tasksFile)
        let header = try String(contentsOf: tasksFile, encoding: .utf8).split(separator: "\r\n").first.map { $0.filter { $0 != "\u{FEFF}" } }
        #expect(header == ExportService.taskColumns.joined(separator: ","))

        let (pipelines, users) = try await target.services.store.read { s in (try await s.pipelines(), try await s.users()) }
        let mapping = try ImportMappingFile.propose(file: dealsFile, pipelines: pipelines, users: users, pipeline: nil, sampleRows: 0)
        #expect(try await target.services.imports.run(.init(file: dealsFile, mapping: mapping)).created == 1)
        let notes = try await target.services.imports.importNotes(.init(file: notesFile, mapping: mapping))
        let tasks = try await target.services.imports.importTasks(.init(file: tasksFile, mapping: mapping))
        #expect(notes.created == 3 && notes.refused.isEmpty, "two notes and the completed task's result: \(notes.refused)")
        #expect(tasks.created == 2 && tasks.refused.isEmpty, "\(tasks.refused)")

        func shape(_ t: TestServices) async throws -> ([String], [String]) {
            try await t.services.store.read { s in
                let deal = try #require(try await s.deals(DealFilter(), after: nil, limit: 5).items.first)
                let emails = Dictionary(try await s.users().map { ($0.id, $0.email) }, uniquingKeysWith: { a, _ in a })
                let notes = try await s.notes(deal: deal.id).map { "\($0.text)|\($0.createdAt.millis)|\($0.author.flatMap { emails[$0] } ?? "-")" }
                let tasks = try await s.tasks(TaskFilter(deal: deal.id)).map {
                    [
                        $0.title, $0.text ?? "-", $0.status.rawValue, "\($0.dueAt.millis)", "\($0.createdAt.millis)",
                        "\($0.completedAt?.millis ?? 0)",
                        $0.assignee.flatMap { emails[$0] } ?? "-", $0.creator.flatMap { emails[$0] } ?? "-",
                    ].joined(separator: "|")
                }
                return (notes, tasks)
            }
        }
        let (expected, got) = (try await shape(source), try await shape(target))
        #expect(got.0 == expected.0 && got.0.first?.hasPrefix("=1+1") == true, "a formula guard is undone")
        #expect(got.1 == expected.1)
    }
}

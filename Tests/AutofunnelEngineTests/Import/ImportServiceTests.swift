import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Synchronization
import Testing

@testable import AutofunnelEngine

/// Importing the incumbents' exports into the sales fixture pipeline: mapped, checked, written through the one path.
@Suite("Import: deals from CSV")
struct ImportServiceTests {
    /// amoCRM's deal export, headers as `IMPORT.md` documents them (a budget with its currency sign in the header).
    static let amoCRM = """
        ID,Название сделки,Бюджет ₽,Ответственный,Дата создания сделки,Кем создана сделка,Дата закрытия,Теги,Этап сделки,Воронка,Полное имя контакта,Компания,Мобильный телефон,Рабочий email
        101,Шкаф-купе,"48 500,50",Менеджер,31.01.2026 10:00:00,Админ,не закрыта,,Первичный контакт,Продажи,Анна,ООО Ромашка,+7 912 345-67-89,anna@example.com
        102,Кухня,120000,head@example.com,01.02.2026 09:30:00,Админ,05.02.2026 18:00:00,vip,Спам,Продажи,Борис,,+7 912 000-00-01,
        103,Стол,9000,Менеджер,02.02.2026 11:00,Админ,не закрыта,,Куда-то,Продажи,Вера,,,vera@example.com
        """

    static let mapping = ImportMapping(
        source: "amocrm", pipeline: "sales",
        columns: ImportMapping.propose(header: Array(amoCRM.split(separator: "\n")[0].split(separator: ",").map(String.init))).columns,
        stages: ["Первичный контакт": "new_lead", "Спам": "spam"], users: ["Менеджер": "manager@example.com"], timeZone: "Europe/Moscow")

    func dealCount(_ t: TestServices) async throws -> Int {
        try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 1000).items.count }
    }

    @Test func anAmoCRMExportImportsWithItsHistoryOfTwoStagesAndAgainUpdatesWithoutDuplicates() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let file = try files.write("amocrm.csv", Self.amoCRM, bom: true)
        let request = ImportService.Request(file: file, mapping: Self.mapping, skipUnmapped: true)
        let first = try await t.services.imports.run(request)
        #expect(first.rows == 3 && first.created == 2 && first.updated == 0)
        #expect(first.refused.map(\.row) == [4], "row 4 names a stage no mapping resolves")
        #expect(first.refused.first?.unmapped == true && first.refused.first?.column == "Этап сделки")
        let deals = try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10).items }
        #expect(deals.map(\.title) == ["Шкаф-купе", "Кухня"])
        let open = deals[0]
        #expect(open.amount == Money(scaledUnits: 485_005_000, currency: CurrencyCode("RUB")!))
        #expect(open.responsible == t.manager.id)
        #expect(open.stage == "new_lead" && open.status == .open)
        // 31.01.2026 10:00 in Moscow is 07:00 UTC.
        #expect(open.createdAt == ImportDates().parse("2026-01-31T07:00:00Z"))
        let lost = deals[1]
        #expect(lost.stage == "spam" && lost.status == .lost && lost.responsible == t.head.id)
        #expect(lost.closedAt == ImportDates().parse("2026-02-05T15:00:00Z"))
        let log = try await t.services.store.read { s in try await s.stageLog(deal: lost.id) }
        #expect(log.map(\.to) == ["new_lead", "spam"])
        #expect(log.map(\.at) == [lost.createdAt, lost.closedAt!], "the history keeps the source's moments")
        #expect(log.allSatisfy { $0.actor.kind == .import })
        // amoCRM's tags column: the deal carries its tag; an empty cell gives none.
        let tags = try await t.services.store.read { s in try await s.tags(.deal, of: [open.id.rawValue, lost.id.rawValue]) }
        #expect(tags[lost.id.rawValue]?.map(\.name) == ["vip"] && tags[open.id.rawValue] == nil)
        let contact = try await t.services.store.read { s in try await s.contact(open.contact!) }
        #expect(contact.name == "Анна" && contact.emails == ["anna@example.com"])
        let again = try await t.services.imports.run(request)
        #expect(again.created == 0 && again.updated == 2)
        #expect(try await dealCount(t) == 2, "running the same import again duplicates nothing")
        let contacts = try await t.services.store.read { s in try await s.contacts(matching: nil, after: nil, limit: 100).items.count }
        #expect(contacts == 2, "nor the contacts, found again by phone or e-mail")
    }

    @Test func aDryRunCountsAndWritesNothing() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let file = try files.write("amocrm.csv", Self.amoCRM)
        let summary = try await t.services.imports.run(.init(file: file, mapping: Self.mapping, dryRun: true))
        #expect(summary.rows == 3 && summary.created == 2 && summary.refused.count == 1)
        #expect(try await dealCount(t) == 0)
        let journal = try await t.services.store.read { s in try await s.importRun(try ImportService.digest(.init(file: file, mapping: Self.mapping)))
        }
        #expect(journal == nil)
    }

    @Test func aRealRunRefusesToStartWhileSomethingIsUnmapped() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let file = try files.write("amocrm.csv", Self.amoCRM)
        let error = await #expect(throws: ImportService.Unmapped.self) { try await t.services.imports.run(.init(file: file, mapping: Self.mapping)) }
        #expect(error?.problems.map(\.row) == [4])
        #expect(error?.description.contains("row 4, Этап сделки: No stage 'Куда-то'") == true)
        #expect(try await dealCount(t) == 0, "nothing half-written")
    }

    @Test func badValuesAreRefusedWithTheirRowAndTheRestIsImported() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        let text = """
            id,title,amount,stage,created_at,responsible
            1,Ок,100,new_lead,2026-01-31,manager@example.com
            2,Большая,123456789012345,new_lead,2026-01-31,manager@example.com
            3,Дата,100,new_lead,31/31/2026,manager@example.com
            1,Дубль,100,new_lead,2026-01-31,manager@example.com
            4,Кто,100,new_lead,2026-01-31,nobody@example.com
            """
        let file = try files.write("bad.csv", text)
        let mapping = ImportMapping(
            source: "csv", pipeline: "sales",
            columns: ImportMapping.propose(header: ["id", "title", "amount", "stage", "created_at", "responsible"]).columns)
        let summary = try await t.services.imports.run(.init(file: file, mapping: mapping, skipUnmapped: true))
        #expect(summary.created == 1)
        let reasons = Dictionary(grouping: summary.refused, by: \.row).mapValues { $0.map(\.message).joined(separator: "; ") }
        #expect(reasons[3]?.contains("is no amount (at most 14 whole digits)") == true)
        #expect(reasons[4]?.contains("'31/31/2026' is no date") == true)
        #expect(reasons[5]?.contains("The id 1 is on row 2 already") == true)
        #expect(reasons[6]?.contains("No user 'nobody@example.com'") == true)
        #expect(try await dealCount(t) == 1)
    }

    @Test func aRefusedDealUndoesItsContactButNotTheOthersInItsBatch() async throws {
        let t = try await TestServices.make()
        let files = try ImportFiles()
        defer { files.remove() }
        // The sales fixture's loss stage `too_expensive` needs a comment: row 3 has none and is refused by the rules.
        let text = """
            id,title,stage,contact_name,contact_phones,created_at,closed_at
            1,Первая,new_lead,Анна,+79120000001,2026-01-10,
            2,Вторая,too_expensive,Борис,+79120000002,2026-01-10,2026-01-12
            3,Третья,new_lead,Вера,+79120000003,2026-01-10,
            """
        let mapping = ImportMapping(
            source: "csv", pipeline: "sales",
            columns: ImportMapping.propose(header: text.split(separator: "\n")[0].split(separator: ",").map(String.init)).columns)
        let summary = try await t.services.imports.run(.init(file: try files.write("loss.csv", text), mapping: mapping))
        #expect(summary.created == 2)
        #expect(summary.refused.map(\.row) == [3])
        #expect(summary.refused.first?.message.contains("needs a comment") == true)
        let names = try await t.services.store.read { s in try await s.contacts(matching: nil, after: nil, limit: 100).items.map(\.name) }
        #expect(names.sorted() == ["Анна", "Вера"], "the refused deal's contact went with it")
    }

    @Test func aRunCutHalfWayResumesAfterItsLastCommittedBatchWithoutDuplicates() async throws {
        let armed = Mutex(true)
        let logs = Mutex(0)
        // The second batch of 100 fails once, right after its deals are inserted (a batch's new deals go in together).
        let faults = FaultInjector { point in
            guard point == .afterDealInsert else { return false }
            return logs.withLock { n in
                n += 1
                return n == 2 && armed.withLock { $0 }
            }
        }
        let t = try await TestServices.make(faults: faults)
        let files = try ImportFiles()
        defer { files.remove() }
        var text = "id,title,stage,created_at\n"
        for i in 1...250 { text += "\(i),Сделка \(i),new_lead,2026-01-10T10:00:00Z\n" }
        // Line 252 repeats an id of the first batch: the resumed run must know the ids of the rows it skips.
        text += "5,Сделка 5 повтор,new_lead,2026-01-10T10:00:00Z\n"
        let file = try files.write("many.csv", text)
        let mapping = ImportMapping(
            source: "csv", pipeline: "sales", columns: ["id": "id", "title": "title", "stage": "stage", "created_at": "created_at"])
        let request = ImportService.Request(file: file, mapping: mapping, batchSize: 100)
        await #expect(throws: (any Error).self) { try await t.services.imports.run(request) }
        #expect(try await dealCount(t) == 100, "the first batch committed, the second not at all")
        armed.withLock { $0 = false }
        let resumed = try await t.services.imports.run(request)
        #expect(resumed.resumedAfter == 101, "the journal's last committed row (the header is line 1)")
        #expect(resumed.created == 150)
        #expect(resumed.updated == 0)
        #expect(resumed.refused.map(\.row) == [252], "the repeated id is refused as in a run never cut")
        let titles = try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 1000).items.map(\.title) }
        #expect(titles.count == 250 && Set(titles).count == 250)
        #expect(titles.contains("Сделка 5") && !titles.contains("Сделка 5 повтор"))
    }
}

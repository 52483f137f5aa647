import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing
import ZIPFoundation

@testable import AutofunnelEngine

/// Reading XLSX as Excel and the incumbents write it, and refusing what is broken or too big with a message a user
/// understands.
@Suite("Import: reading XLSX spreadsheets")
struct SpreadsheetFileTests {
    func records(_ url: URL) throws -> [DelimitedFile.Record] {
        let file = try ImportTables.open(url)
        var out: [DelimitedFile.Record] = []
        while let r = try file.next() { out.append(r) }
        return out
    }

    @Test func anAmoCRMStyleSheetReadsWithSharedTextsDatesGapsAndBlankRows() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let strings = [
            "ID", "<r><t xml:space=\"preserve\">Название </t></r><r><rPr><b/></rPr><t>сделки</t></r>", "Бюджет ₽", "Ответственный",
            "Дата создания сделки", "Этап сделки", "<t>Воронка</t><rPh sb=\"0\" eb=\"7\"><t>ボロンカ</t></rPh>", "Шкаф-купе",
            "Первичный контакт", "Продажи", "Спам", "Куда-то",
        ]
        let sheet = """
            <row r="1" spans="1:7"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>\
            <c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c></row>
            <row r="2" spans="1:7"><c r="A2"><v>101</v></c><c r="B2" t="s"><v>7</v></c><c r="C2" s="4"><v>48500.5</v></c>\
            <c r="D2" t="inlineStr"><is><t>Менеджер</t></is></c><c r="E2" s="2"><v>46053.416666666664</v></c>\
            <c r="F2" t="s"><v>8</v></c><c r="G2" t="s"><v>9</v></c></row>
            <row r="3" spans="1:7"><c r="A3"><v>102</v></c><c r="B3" s="3" t="inlineStr"><is><t xml:space="preserve">Кухня
            и столовая</t></is></c><c r="C3" s="4"><v>1500000</v></c><c r="E3" s="1"><v>45658</v></c>\
            <c r="F3" t="s"><v>10</v></c><c r="G3" t="s"><v>9</v></c></row>
            <row r="5" spans="1:7"><c r="A5" s="3"/><c r="B5" s="3"/></row>
            <row r="6" spans="1:8"><c r="A6"><v>103</v></c><c r="B6" t="str"><f>"Стол"</f><v>Стол</v></c><c r="C6" s="4"><v>9000.75</v></c>\
            <c r="F6" t="s"><v>11</v></c><c r="G6" t="s"><v>9</v></c><c r="H6" t="b"><v>1</v></c></row>
            """
        let url = try XLSX.write(files, "amocrm.xlsx", XLSX.workbook(sheet: sheet, strings: strings))
        let file = try ImportTables.open(url)
        #expect(file is SpreadsheetFile && file.format == "XLSX")
        let all = try records(url)
        #expect(
            all.map(\.fields) == [
                ["ID", "Название сделки", "Бюджет ₽", "Ответственный", "Дата создания сделки", "Этап сделки", "Воронка"],
                ["101", "Шкаф-купе", "48500.5", "Менеджер", "2026-01-31T10:00:00", "Первичный контакт", "Продажи"],
                ["102", "Кухня\nи столовая", "1500000", "", "2025-01-01T00:00:00", "Спам", "Продажи"],
                ["103", "Стол", "9000.75", "", "", "Куда-то", "Продажи", "TRUE"],
            ])
        #expect(all.map(\.line) == [1, 2, 3, 6], "a record's line is its row; rows 4 and 5 are blank")
    }

    @Test func theSheetTheWorkbookNamesIsReadWithPrefixedElementsNumbersAsTypedAndThe1904DateSystem() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let values = ["1500000", "-42", "0.1", "1.5E-5", "1E+20", "12345.678", "0.30000000000000004", "2.50", "1.0"]
        let cells = values.enumerated().map { i, v in "<x:c r=\"\(Character(UnicodeScalar(65 + i)!))2\"><x:v>\(v)</x:v></x:c>" }
        let deals = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>\
            <x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Сумма_x000D_
            итого</x:t></x:is></x:c></x:row><x:row r="2">\(cells.joined())</x:row>\
            <x:row r="3"><x:c r="A3" s="1"><x:v>44196.5</x:v></x:c></x:row></x:sheetData></x:worksheet>
            """
        var parts = XLSX.workbook(sheet: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>the wrong sheet</t></is></c></row>", date1904: true)
        parts["xl/worksheets/deals.xml"] = deals
        parts["xl/workbook.xml"] = XLSX.workbookXML(
            sheets: [("Сделки", "rId5"), ("Лист1", "rId1")], date1904: true)
        parts["xl/_rels/workbook.xml.rels"] = XLSX.relationshipsXML(extra: [("rId5", "worksheets/deals.xml")])
        let all = try records(try XLSX.write(files, "numbers.xlsx", parts))
        #expect(
            all.map(\.fields) == [
                ["Сумма\r\nитого"],
                ["1500000", "-42", "0.1", "0.000015", "100000000000000000000", "12345.678", "0.30000000000000004", "2.5", "1"],
                ["2025-01-01T12:00:00"],
            ])
    }

    @Test(arguments: [
        (1.0, "1900-01-01T00:00:00"), (59.0, "1900-02-28T00:00:00"), (61.0, "1900-03-01T00:00:00"),
        (45658.999999, "2025-01-02T00:00:00"), (46095.65625, "2026-03-14T15:45:00"),
    ])
    func excelSerialsBecomeTheDayAndTimeExcelShows(serial: Double, shown: String) {
        #expect(SpreadsheetFile.dateText(serial: serial, date1904: false) == shown)
    }

    @Test func anArchiveThatClaimsMoreThan200MBIsRefusedBeforeAnythingIsUnpacked() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try XLSX.write(files, "bomb.xlsx", XLSX.workbook(sheet: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"))
        try XLSX.declare(url, path: "xl/worksheets/sheet1.xml", size: 0xF000_0000)
        #expect(throws: DelimitedFile.Malformed(line: 0, reason: "the spreadsheet unpacks to more than 200 MB: split it, or save it as CSV")) {
            try records(url)
        }
    }

    @Test func anEntryThatUnpacksToMoreThanItDeclaresStopsAsAZipBomb() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let rows = (1...200).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let url = try XLSX.write(files, "liar.xlsx", XLSX.workbook(sheet: rows))
        try XLSX.declare(url, path: "xl/worksheets/sheet1.xml", size: 100)
        let reason = "the spreadsheet's xl/worksheets/sheet1.xml unpacks to more than the 100 bytes it declares (a damaged file or a zip bomb)"
        #expect(throws: DelimitedFile.Malformed(line: 0, reason: reason)) { try records(url) }
    }

    @Test func aWorkbookWithoutItsWorksheetIsRefused() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        var parts = XLSX.workbook(sheet: "")
        parts["xl/worksheets/sheet1.xml"] = nil
        let url = try XLSX.write(files, "nosheet.xlsx", parts)
        let reason = "the spreadsheet has no worksheet to read (xl/worksheets/sheet1.xml is missing): save it again, or as CSV"
        #expect(throws: DelimitedFile.Malformed(line: 0, reason: reason)) { try records(url) }
    }

    @Test func anOldBinaryXLSIsRefusedWithWhatToDoInstead() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write("deals.xls", bytes: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504))
        let error = #expect(throws: DelimitedFile.Malformed.self) { try records(url) }
        #expect(error?.description == "an old Excel .xls file: save it as .xlsx or CSV")
    }

    @Test func tooManyColumnsACellOver1MiBAndBrokenXMLAreRefusedWithTheirRow() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c></row>"
        let wide = try XLSX.write(files, "wide.xlsx", XLSX.workbook(sheet: header + "<row r=\"2\"><c r=\"XFD2\"><v>1</v></c></row>"))
        #expect(throws: DelimitedFile.Malformed(line: 2, reason: "more than 4096 columns")) { try records(wide) }
        let long = String(repeating: "я", count: SpreadsheetFile.maximumCellBytes / 2 + 1)
        let big = try XLSX.write(
            files, "big.xlsx", XLSX.workbook(sheet: header + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>\(long)</t></is></c></row>"))
        #expect(throws: DelimitedFile.Malformed(line: 3, reason: "a cell longer than 1024 KiB")) { try records(big) }
        let broken = try XLSX.write(files, "broken.xlsx", XLSX.workbook(sheet: header + "<row r=\"2\"><c r=\"A2\"><v>1</c></row>"))
        let error = #expect(throws: DelimitedFile.Malformed.self) { try records(broken) }
        #expect(error?.reason == "the spreadsheet's xl/worksheets/sheet1.xml is not well-formed XML (is the file damaged?)")
    }

    @Test func aSheetReadHalfWayIsLetGoWithoutWaitingForTheRest() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let rows = (1...5000).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let url = try XLSX.write(files, "long.xlsx", XLSX.workbook(sheet: rows))
        for _ in 0..<20 {
            let file = try ImportTables.open(url)
            #expect(try file.next()?.fields == ["1"])
        }
        #expect(try records(url).count == 5000)
    }

    @Test func aReaderWaitsForAStuckProducerOnlySoLong() throws {
        let channel = SpreadsheetFile.Channel<Int>(capacity: 1)
        #expect(channel.put(1))
        #expect(try channel.take(patience: 0.05) == 1)
        #expect(throws: SpreadsheetFile.Channel<Int>.Stalled.self) { try channel.take(patience: 0.05) }
        channel.finish()
        #expect(try channel.take(patience: 0.05) == nil)
    }

    @Test func theKindOfTableIsToldByTheFirstBytes() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let xlsx = try XLSX.write(files, "a.xlsx", XLSX.workbook(sheet: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"))
        #expect(try ImportTables.open(xlsx) is SpreadsheetFile)
        #expect(try ImportTables.open(try files.write("b.xls", "\n  <table><tr><td>1</td></tr></table>", bom: true)) is HTMLTableFile)
        #expect(try ImportTables.open(try files.write("c.csv", "id,title\n1,<b>\n")) is DelimitedFile)
    }

    /// `ImportServiceTests.amoCRM` as amoCRM's XLSX export has it: ids and budgets as numbers, moments as date serials
    /// in a custom date format, texts shared, empty cells left out.
    static func amoCRMSheet() -> (sheet: String, strings: [String]) {
        enum Cell {
            case text(String), number(String), date(String)
        }
        let header = ImportServiceTests.amoCRM.split(separator: "\n")[0].split(separator: ",").map { Cell.text(String($0)) }
        let rows: [[Cell?]] = [
            header,
            [
                .number("101"), .text("Шкаф-купе"), .number("48500.5"), .text("Менеджер"), .date("46053.416666666664"), .text("Админ"),
                .text("не закрыта"), nil, .text("Первичный контакт"), .text("Продажи"), .text("Анна"), .text("ООО Ромашка"),
                .text("+7 912 345-67-89"), .text("anna@example.com"),
            ],
            [
                .number("102"), .text("Кухня"), .number("120000"), .text("head@example.com"), .date("46054.395833333336"), .text("Админ"),
                .date("46058.75"), .text("vip"), .text("Спам"), .text("Продажи"), .text("Борис"), nil, .text("+7 912 000-00-01"), nil,
            ],
            [
                .number("103"), .text("Стол"), .number("9000"), .text("Менеджер"), .date("46055.458333333336"), .text("Админ"),
                .text("не закрыта"), nil, .text("Куда-то"), .text("Продажи"), .text("Вера"), nil, nil, .text("vera@example.com"),
            ],
        ]
        var strings: [String] = []
        var xml = ""
        for (r, row) in rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                let ref = "\(Character(UnicodeScalar(65 + c)!))\(r + 1)"
                switch cell {
                case .text(let text)?:
                    if !strings.contains(text) { strings.append(text) }
                    xml += "<c r=\"\(ref)\" t=\"s\"><v>\(strings.firstIndex(of: text)!)</v></c>"
                case .number(let value)?: xml += "<c r=\"\(ref)\" s=\"4\"><v>\(value)</v></c>"
                case .date(let serial)?: xml += "<c r=\"\(ref)\" s=\"2\"><v>\(serial)</v></c>"
                case nil: break
                }
            }
            xml += "</row>"
        }
        return (xml, strings)
    }

    @Test func anAmoCRMExportSavedAsXLSXImportsExactlyAsTheCSVDoes() async throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let csv = try files.write("amocrm.csv", ImportServiceTests.amoCRM, bom: true)
        let (sheet, strings) = Self.amoCRMSheet()
        let xlsx = try XLSX.write(files, "amocrm.xlsx", XLSX.workbook(sheet: sheet, strings: strings))
        func imported(_ file: URL) async throws -> (ImportService.Summary, [Deal], [Contact], [[StageLogEntry]]) {
            let t = try await TestServices.make()
            let summary = try await t.services.imports.run(.init(file: file, mapping: ImportServiceTests.mapping, skipUnmapped: true))
            return try await t.services.store.read { s in
                let deals = try await s.deals(DealFilter(), after: nil, limit: 10).items
                var logs: [[StageLogEntry]] = []
                for deal in deals { logs.append(try await s.stageLog(deal: deal.id)) }
                return (summary, deals, try await s.contacts(matching: nil, after: nil, limit: 10).items, logs)
            }
        }
        let (fromCSV, dealsFromCSV, contactsFromCSV, logsFromCSV) = try await imported(csv)
        var (fromXLSX, dealsFromXLSX, contactsFromXLSX, logsFromXLSX) = try await imported(xlsx)
        #expect(fromXLSX.encoding == "XLSX")
        fromXLSX.encoding = fromCSV.encoding
        #expect(fromXLSX == fromCSV)
        #expect(dealsFromCSV.map(\.title) == ["Шкаф-купе", "Кухня"])
        #expect(dealsFromXLSX == dealsFromCSV)
        #expect(contactsFromXLSX == contactsFromCSV)
        #expect(logsFromXLSX == logsFromCSV)
        #expect(dealsFromXLSX.first?.createdAt == ImportDates().parse("2026-01-31T07:00:00Z"), "10:00 in the sheet is Moscow time, as in the CSV")
    }
}

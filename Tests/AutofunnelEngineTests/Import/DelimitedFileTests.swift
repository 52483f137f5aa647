import Foundation
import Testing

@testable import AutofunnelEngine

/// Reading CSV as the incumbents and spreadsheets write it, and refusing what is broken with the line.
@Suite("Import: reading CSV files")
struct DelimitedFileTests {
    func records(_ url: URL) throws -> [DelimitedFile.Record] {
        let file = try DelimitedFile(url: url)
        var out: [DelimitedFile.Record] = []
        while let r = try file.next() { out.append(r) }
        return out
    }

    @Test func utf8WithBOMCommasAndAQuotedLineBreak() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write(
            "a.csv", "ID,Название сделки,Примечание\r\n1,\"Шкаф, купе\",\"две\nстроки\"\r\n2,\"Кавычка \"\"да\"\"\",\r\n", bom: true)
        let file = try DelimitedFile(url: url)
        #expect(file.encoding == .utf8)
        #expect(file.delimiter == UInt8(ascii: ","))
        let all = try records(url)
        #expect(all.map(\.fields) == [["ID", "Название сделки", "Примечание"], ["1", "Шкаф, купе", "две\nстроки"], ["2", "Кавычка \"да\"", ""]])
        #expect(all.map(\.line) == [1, 2, 4], "a record's line is where it starts; the line break inside a quote counts")
    }

    @Test func windows1251WithSemicolonsAndBitrixTrailingDelimiters() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write1251("b.csv", "\"ID\";\"Название сделки\";\"Стадия сделки\";\n\"7\";\"Ёлка\";\"Новая\";\n")
        let file = try DelimitedFile(url: url)
        #expect(file.encoding == .windows1251)
        #expect(file.delimiter == UInt8(ascii: ";"))
        #expect(try records(url).map(\.fields) == [["ID", "Название сделки", "Стадия сделки", ""], ["7", "Ёлка", "Новая", ""]])
    }

    @Test func aQuoteNeverClosedIsRefusedWithTheLineItOpensOn() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write("c.csv", "id,title\n1,ok\n2,\"never closed\n3,x\n4,y\n")
        #expect(throws: DelimitedFile.Malformed(line: 3, reason: "a quoted field is never closed")) { try records(url) }
    }

    @Test func aQuoteNeverClosedInABigFileIsReportedWhereItOpensNotWhereTheLimitIsHit() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let row = "7,\(String(repeating: "ж", count: 1000))\n"
        let url = try files.write("big.csv", "id,title\n1,ok\n2,\"never closed\n" + String(repeating: row, count: 1000))
        #expect(throws: DelimitedFile.Malformed.self) { try records(url) }
        do {
            _ = try records(url)
        } catch let malformed as DelimitedFile.Malformed {
            #expect(malformed.line == 3)
            #expect(malformed.reason.hasPrefix("a quoted field is never closed"))
        }
    }

    @Test func aUTF16FileIsRefusedAsSuchNotReadAsWindows1251() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = files.folder.appendingPathComponent("u16.csv")
        try (Data([0xFF, 0xFE]) + "id\ttitle\n1\tШкаф\n".data(using: .utf16LittleEndian)!).write(to: url)
        do {
            _ = try DelimitedFile(url: url)
            Issue.record("a UTF-16 file was opened as text")
        } catch let malformed as DelimitedFile.Malformed {
            #expect(malformed.reason.contains("UTF-16"))
        }
    }

    @Test func aStrayQuoteInsideAQuotedFieldIsRefused() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write("d.csv", "id,title\n1,\"bad \"quote\" here\"\n")
        #expect(throws: DelimitedFile.Malformed(line: 2, reason: "a quote inside a quoted field that is not doubled")) { try records(url) }
    }

    @Test func aFieldLongerThanTheLimitStopsReadingInsteadOfFillingMemory() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write("e.csv", "id,title\n1,\"" + String(repeating: "x", count: DelimitedFile.maximumFieldBytes + 10))
        #expect(throws: DelimitedFile.Malformed.self) { try records(url) }
    }

    @Test func bytesThatAreNotUTF8AfterAUTF8StartAreRefusedWithTheLine() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        var bytes = Array("id,title\n".utf8)
        bytes += Array(String(repeating: "1,Шкаф\n", count: 200_000).utf8)
        bytes += [0x32, 0x2C, 0xCF, 0xF0, 0x0A]
        let url = try files.write("f.csv", bytes: bytes)
        #expect(throws: DelimitedFile.Malformed(line: 200_002, reason: "text that is not UTF-8 (save the file as UTF-8 or Windows-1251)")) {
            try records(url)
        }
    }

    @Test func anEmptyFileHasNoHeaderAndBlankLinesAreSkipped() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        #expect(try records(try files.write("g.csv", "")).isEmpty)
        #expect(try records(try files.write("h.csv", "id\n\n\n1\n")).map(\.fields) == [["id"], ["1"]])
    }
}

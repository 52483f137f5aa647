import AutofunnelCore
import AutofunnelTestSupport
import Testing

@testable import AutofunnelEngine

/// The CSV every export writes: RFC 4180 quoting, CRLF, the byte order mark, formula cells kept as text, and the
/// exact forms of moments and custom values the importer reads back.
@Suite("Export CSV text")
struct ExportCSVTextTests {
    @Test func cellsWithCommasQuotesAndLineBreaksAreQuotedAndLinesEndWithCRLF() throws {
        let line = CSVText.line(["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", "Шкаф-купе 2,4 м"])
        #expect(line == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",,\"Шкаф-купе 2,4 м\"\r\n")
        #expect(try CSVRows.parse(line) == [["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", "Шкаф-купе 2,4 м"]])
        #expect(CSVText.line(["", ""]) == ",\r\n")
    }

    @Test func formulaCellsGetAnApostropheButPlainNumbersStayNumbers() {
        #expect(CSVText.guarded("=HYPERLINK(\"http://evil.example\",\"x\")") == "'=HYPERLINK(\"http://evil.example\",\"x\")")
        #expect(CSVText.field("=HYPERLINK(\"http://evil.example\",\"x\")") == "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")
        #expect(CSVText.guarded("+1") == "'+1")
        #expect(CSVText.guarded("@x") == "'@x")
        #expect(CSVText.guarded("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0")
        #expect(CSVText.guarded("\tx") == "'\tx")
        #expect(CSVText.guarded("\rx") == "'\rx")
        #expect(CSVText.guarded("+79161234567") == "'+79161234567")
        for number in ["-5", "-12.50", "-0.0001", "5", "12.50"] { #expect(CSVText.guarded(number) == number) }
        for notPlain in ["-", "-.5", "-5.", "-1e5", "--5", "-5-"] { #expect(CSVText.guarded(notPlain) == "'" + notPlain) }
        for harmless in ["Шкаф", "a=b", "", "'quoted", "1+1", " =1"] { #expect(CSVText.guarded(harmless) == harmless) }
    }

    @Test func theGuardCanBeUndoneExactly() {
        // A reader drops the first ' of a cell that is one or more ' followed by a trigger: every value comes back.
        func undo(_ cell: String) -> String {
            let rest = cell.drop { $0 == "'" }
            return cell.first == "'" && rest.first.map { "=+-@\t\r".contains($0) } == true ? String(cell.dropFirst()) : cell
        }
        for value in ["=1", "'=1", "''=1", "-5", "'-5", "+1", "'abc", "''", "@x", "plain", "-"] {
            #expect(undo(CSVText.guarded(value)) == value, "\(value)")
        }
    }

    @Test func momentsAreUTCWithMilliseconds() {
        #expect(ExportText.moment(Timestamp(millis: 1_769_860_800_000)) == "2026-01-31T12:00:00.000Z")
        #expect(ExportText.moment(Fixtures.t0) == "2026-11-18T11:06:40.000Z")
        #expect(ExportText.moment(Timestamp(millis: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ExportText.moment(Timestamp(millis: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(ExportText.moment(Timestamp(millis: 951_782_400_123)) == "2000-02-29T00:00:00.123Z")
        #expect(ExportText.moment(Timestamp.accepted.lowerBound) == "0001-01-01T00:00:00.000Z")
        #expect(ExportText.moment(Timestamp.accepted.upperBound) == "9999-12-31T23:59:59.999Z")
    }

    @Test func customValuesAreTextAndListsAndObjectsJSON() {
        #expect(ExportText.value(.string("Шкаф, 2 м")) == "Шкаф, 2 м")
        #expect(ExportText.value(.null) == "")
        #expect(ExportText.value(.bool(true)) == "true")
        #expect(ExportText.value(.number(7)) == "7")
        #expect(ExportText.value(.number(-12.5)) == "-12.5")
        #expect(ExportText.value(.array([.string("a"), .string("b/c")])) == "[\"a\",\"b/c\"]")
        #expect(
            ExportText.value(.object(["value": .string("1500.00"), "currency": .string("RUB")])) == "{\"currency\":\"RUB\",\"value\":\"1500.00\"}")
    }
}

import Foundation
import Testing

@testable import AutofunnelEngine

/// Reading Bitrix24's "Excel" export, an HTML table, in either of its encodings, and refusing what is broken.
@Suite("Import: reading HTML tables")
struct HTMLTableFileTests {
    func records(_ url: URL) throws -> [DelimitedFile.Record] {
        let file = try ImportTables.open(url)
        var out: [DelimitedFile.Record] = []
        while let r = try file.next() { out.append(r) }
        return out
    }

    /// `deals.xls` as Bitrix24's `excel.php` writes it: a meta tag, then the table, values escaped, line breaks `<br />`.
    static let bitrix24 = """
        <meta http-equiv="Content-type" content="text/html;charset=windows-1251" />
        <table border="1">
        <thead>
        \t<tr>
        \t\t<th>ID</th>
        \t\t<th>Название сделки</th>
        \t\t<th>Стадия сделки</th>
        \t\t<th>Сумма</th>
        \t\t<th>Комментарий</th>
        \t</tr>
        </thead>
        <tbody>
        \t<tr>
        \t\t<td>7</td>
        \t\t<td>Шкаф &quot;Купе&quot;</td>
        \t\t<td>Новая</td>
        \t\t<td style="mso-number-format:'\\@';">48500.50</td>
        \t\t<td>Позвонить<br />
        после 18:00</td>
        \t</tr>
        \t<tr>
        \t\t<td>8</td>
        \t\t<td>Ёлка &amp; гирлянды</td>
        \t\t<td>Сделка провалена</td>
        \t\t<td>0</td>
        \t\t<td></td>
        \t</tr>
        </tbody>
        </table>

        """

    static let expected = [
        ["ID", "Название сделки", "Стадия сделки", "Сумма", "Комментарий"],
        ["7", "Шкаф \"Купе\"", "Новая", "48500.50", "Позвонить\nпосле 18:00"],
        ["8", "Ёлка & гирлянды", "Сделка провалена", "0", ""],
    ]

    @Test func aBitrix24ExportInWindows1251ReadsWithEntitiesAndLineBreaks() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write1251("deals.xls", Self.bitrix24)
        let file = try ImportTables.open(url)
        #expect(file.format == "HTML table (Windows-1251)")
        let all = try records(url)
        #expect(all.map(\.fields) == Self.expected)
        #expect(all.map(\.line) == [1, 2, 3])
    }

    @Test func theSameExportInUTF8ReadsTheSame() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let url = try files.write("deals.xls", Self.bitrix24.replacingOccurrences(of: "windows-1251", with: "UTF-8"), bom: true)
        #expect(try ImportTables.open(url).format == "HTML table (UTF-8)")
        #expect(try records(url).map(\.fields) == Self.expected)
    }

    @Test func tagsInAnyCaseUnclosedCellsCommentsStylesAndCharacterReferences() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let html = """
            <!DOCTYPE html>
            <HTML><HEAD><META charset="utf-8"><STYLE>td { mso-number-format: "\\@"; } /* <td>not a cell</td> */</STYLE></HEAD>
            <BODY><!-- <tr><td>a comment -- </td></tr> -->
            <TABLE class='deals'>
            <TR><TH>ID<TH>Deal Name<TH>Stage</TR>
            <TR><TD>1</TD><TD><B>Кухня</B>   &lt;VIP&gt; &#8470;&nbsp;5 &#x263A; &#39;x&#39; &copy;</TD><TD title="a > b">New</TD></TR>
            <tr><td></td><td>   </td><td><span></span></td></tr>
            <tr><td>2<td>a < b<td>Won
            </table>
            <table><tr><td>after the table</td></tr></table>
            """
        let url = try files.write("deals.html", html)
        let all = try records(url)
        #expect(
            all.map(\.fields) == [
                ["ID", "Deal Name", "Stage"], ["1", "Кухня <VIP> №\u{A0}5 ☺ 'x' &copy;", "New"], ["2", "a < b", "Won"],
            ])
        #expect(all.map(\.line) == [1, 2, 4], "row 3 has no text: skipped, but counted")
    }

    @Test func withoutACharsetTheEncodingIsGuessedAsForCSV() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let table = "<table><tr><td>Ёлка</td></tr></table>"
        let utf8 = try files.write("a.xls", table)
        let cp1251 = try files.write1251("b.xls", table)
        #expect(try ImportTables.open(utf8).format == "HTML table (UTF-8)")
        #expect(try ImportTables.open(cp1251).format == "HTML table (Windows-1251)")
        #expect(try records(utf8).map(\.fields) == [["Ёлка"]])
        #expect(try records(cp1251).map(\.fields) == [["Ёлка"]])
    }

    @Test func tooManyCellsACellOver1MiBAndTextNotInItsCharsetAreRefusedWithTheirRow() throws {
        let files = try ImportFiles()
        defer { files.remove() }
        let wide = try files.write("wide.xls", "<table><tr>" + String(repeating: "<td>x</td>", count: 4097) + "</tr></table>")
        #expect(throws: DelimitedFile.Malformed(line: 1, reason: "more than 4096 cells in a row")) { try records(wide) }
        let long = String(repeating: "x", count: HTMLTableFile.maximumCellBytes + 1)
        let big = try files.write("big.xls", "<table><tr><th>id</th></tr><tr><td>\(long)</td></tr></table>")
        #expect(throws: DelimitedFile.Malformed(line: 2, reason: "a cell longer than 1024 KiB")) { try records(big) }
        let bytes = Array("<meta charset=utf-8><table><tr><th>id</th></tr><tr><td>".utf8) + [0xCF, 0xF0] + Array("</td></tr></table>".utf8)
        let wrong = try files.write("wrong.xls", bytes: bytes)
        #expect(throws: DelimitedFile.Malformed(line: 2, reason: "text that is not UTF-8 (the file's charset says it is)")) { try records(wrong) }
        let koi8 = try files.write("koi8.xls", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=KOI8-R\"><table></table>")
        let reason = "an HTML table in the koi8-r encoding, which is not read here: save it as UTF-8 or Windows-1251"
        #expect(throws: DelimitedFile.Malformed(line: 0, reason: reason)) { try records(koi8) }
    }
}

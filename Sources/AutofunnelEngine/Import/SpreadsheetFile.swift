import Foundation

/// An XLSX spreadsheet read record by record: the first worksheet (as `xl/workbook.xml` and its relationships name it,
/// else `xl/worksheets/sheet1.xml`), each row a record on the line of its row number, each cell as a user sees it:
/// shared and inline texts (rich-text runs joined), `TRUE`/`FALSE`, numbers without `.0` or an exponent, and numbers
/// in a date format (built-in or custom, in the 1900 or 1904 date system) as `yyyy-MM-ddTHH:mm:ss`. Cells missing
/// between two (`A5`, then `C5`) are empty; rows missing or without text are skipped.
///
/// The archive is read with ZIPFoundation and every part with Foundation's streaming `XMLParser`, the sheet on a
/// thread of its own that hands rows over through a small channel: a sheet of any size is read in bounded memory.
/// Everything is bounded, and what goes past a bound is a `DelimitedFile.Malformed` with the row where it can say
/// one (0 for the file as a whole): more than `maximumBytes` unpacked in all (as the entries declare, or as they turn
/// out when unpacking), more than `maximumColumns` columns, a cell over `maximumCellBytes`, a workbook without its
/// worksheet, XML that is not well-formed.
public final class SpreadsheetFile: ImportTable {
    typealias Malformed = DelimitedFile.Malformed

    /// The most the archive's entries may unpack to, in all.
    public static let maximumBytes = 200 << 20
    /// The most columns a row may have.
    public static let maximumColumns = DelimitedFile.maximumFields
    /// The longest text of one cell, in UTF-8 bytes.
    public static let maximumCellBytes = DelimitedFile.maximumFieldBytes
    /// The most entries the archive may have (Excel writes a dozen or so).
    static let maximumEntries = 10_000

    public var format: String { "XLSX" }

    private let rows = Channel<DelimitedFile.Record>(capacity: 256)

    /// Opens `url`, reads the workbook, its styles and its shared texts, and starts reading the first worksheet.
    public init(url: URL) throws {
        let zip = try Zip(url: url)
        let workbook = WorkbookReader()
        if zip.contains("xl/workbook.xml") { try zip.parse("xl/workbook.xml", with: workbook) }
        let relationships = RelationshipsReader()
        if zip.contains("xl/_rels/workbook.xml.rels") { try zip.parse("xl/_rels/workbook.xml.rels", with: relationships) }
        let named = workbook.firstSheet.flatMap { relationships.part(id: $0, type: "worksheet") }
        let fallback = "xl/worksheets/sheet1.xml"
        guard let sheet = [named, fallback].compactMap({ $0 }).first(where: zip.contains) else {
            throw Malformed(
                line: 0, reason: "the spreadsheet has no worksheet to read (\(named ?? fallback) is missing): save it again, or as CSV")
        }
        let styles = StylesReader()
        let stylesPart = relationships.part(type: "styles") ?? "xl/styles.xml"
        if zip.contains(stylesPart) { try zip.parse(stylesPart, with: styles) }
        let strings = SharedStringsReader()
        let stringsPart = relationships.part(type: "sharedStrings") ?? "xl/sharedStrings.xml"
        if zip.contains(stringsPart) { try zip.parse(stringsPart, with: strings) }
        let context = SheetReader.Context(strings: strings.table, dateStyles: styles.dateStyles, date1904: workbook.date1904)
        let rows = self.rows
        Thread {
            let reader = SheetReader(context, rows: rows)
            do {
                try zip.parse(sheet, with: reader)
                rows.finish()
            } catch {
                rows.finish(throwing: error)
            }
        }
        .start()
    }

    // The sheet's thread waits for room in the channel: cancelling lets it stop.
    deinit { rows.cancel() }

    /// The next record, or nil at the end of the sheet. Rows without text are skipped; the header is the first record.
    public func next() throws -> DelimitedFile.Record? {
        try rows.take()
    }
}

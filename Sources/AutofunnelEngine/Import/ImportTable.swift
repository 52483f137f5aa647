import Foundation

/// Rows of a file to import, read one at a time whatever the file is: a CSV (`DelimitedFile`), an XLSX spreadsheet
/// (`SpreadsheetFile`) or an HTML table (`HTMLTableFile`, Bitrix24's "Excel"), told apart by their first bytes in
/// `ImportTables.open`.
public protocol ImportTable: AnyObject {
    /// What the file was read as, for the summary ("UTF-8", "Windows-1251", "XLSX", "HTML table (UTF-8)", …).
    var format: String { get }
    /// The next record, or nil at the end. Blank rows are skipped; the header is the first record.
    func next() throws -> DelimitedFile.Record?
}

extension DelimitedFile: ImportTable {
    public var format: String { encoding.rawValue }
}

/// Opens an import file as the kind of table its first bytes say it is.
public enum ImportTables {
    /// The table in `url`: an XLSX spreadsheet when it starts as a ZIP archive does (`PK\3\4`), an HTML table when it
    /// starts with `<` (after a byte order mark and white space), a CSV otherwise. An old binary Excel `.xls` (an OLE
    /// file) is refused with what to do instead.
    public static func open(_ url: URL) throws -> any ImportTable {
        let handle = try FileHandle(forReadingFrom: url)
        let start = try handle.read(upToCount: 4096) ?? Data()
        try? handle.close()
        if start.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try SpreadsheetFile(url: url) }
        if start.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw DelimitedFile.Malformed(line: 0, reason: "an old Excel .xls file: save it as .xlsx or CSV")
        }
        if HTMLTableFile.looksLikeHTML(ArraySlice(start)) { return try HTMLTableFile(url: url) }
        return try DelimitedFile(url: url)
    }
}

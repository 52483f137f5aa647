/// CSV text as every export writes it: RFC 4180 fields separated by commas, lines ended by CRLF, the file opened by a
/// UTF-8 byte order mark (so that spreadsheets read Cyrillic as UTF-8), and no cell a spreadsheet would run as a formula.
public enum CSVText {
    /// The first character of every file.
    public static let byteOrderMark = "\u{FEFF}"
    /// The end of every line, the last one included.
    public static let lineEnd = "\r\n"

    /// One line of cells, each guarded and quoted as needed, with its CRLF.
    public static func line(_ cells: [String]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { out += "," }
            out += field(cell)
        }
        return out + lineEnd
    }

    /// One cell: guarded against formulas, then quoted when it holds a comma, a quote, CR or LF (inner quotes doubled).
    public static func field(_ raw: String) -> String {
        let value = guarded(raw)
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 13 || $0 == 10 }) else { return value }
        var out = "\""
        for ch in value { out += ch == "\"" ? "\"\"" : String(ch) }
        return out + "\""
    }

    /// The cell with a leading `'` when a spreadsheet would take it for a formula: when it starts with `=`, `+`, `-`,
    /// `@`, TAB or CR. A plain number (`-5`, `-12.50`: an optional minus, digits, an optional fraction) is left as it
    /// is, so negative values stay numbers; `+1` is not plain and is guarded (a spreadsheet evaluates it). Amounts are
    /// never negative (`Money` refuses signs), and would stay numeric if they were.
    ///
    /// A cell that already starts with apostrophes followed by one of those characters gets one more, so the rule can
    /// be undone exactly: a reader drops the first `'` of a cell that is one or more `'` followed by `=`, `+`, `-`,
    /// `@`, TAB or CR, and gets back what was written.
    public static func guarded(_ raw: String) -> String {
        let bytes = raw.utf8
        guard let first = bytes.first(where: { $0 != UInt8(ascii: "'") }), triggers.contains(first) else { return raw }
        if bytes.first == first && isPlainNumber(raw) { return raw }
        return "'" + raw
    }

    /// `=`, `+`, `-`, `@`, TAB and CR: what makes a spreadsheet read a cell as a formula.
    static let triggers: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13]

    /// An optional minus, at least one digit and an optional fraction of at least one digit: `-5`, `12.50`.
    static func isPlainNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(isDigit) else { return false }
        return parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy(isDigit))
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

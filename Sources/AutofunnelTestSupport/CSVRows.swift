/// An RFC 4180 reader for tests of the exports: the rows of a CSV text (a leading byte order mark skipped), each a
/// list of cells, quotes undone. Strict on purpose: a line that does not end with CRLF is a failed test, not a row.
public enum CSVRows {
    /// Why a text is not the CSV the exports write.
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The rows of `text`.
    public static func parse(_ text: String) throws -> [[String]] {
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var rows: [[String]] = []
        var row: [String] = []
        var cell = String.UnicodeScalarView()
        var i = 0
        var quoted = false
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        cell.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == "\"" && cell.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(String(cell))
                cell = .init()
            } else if c == "\r" {
                guard i + 1 < chars.count, chars[i + 1] == "\n" else { throw Malformed(description: "a CR without LF at \(i)") }
                row.append(String(cell))
                rows.append(row)
                (row, cell) = ([], .init())
                i += 1
            } else if c == "\n" || c == "\"" {
                throw Malformed(description: "a bare \(c == "\n" ? "LF" : "quote") at \(i)")
            } else {
                cell.append(c)
            }
            i += 1
        }
        guard !quoted, row.isEmpty, cell.isEmpty else { throw Malformed(description: "the text does not end with CRLF") }
        return rows
    }

    /// The rows after the header, each keyed by the header's names.
    public static func records(_ text: String) throws -> (header: [String], rows: [[String: String]]) {
        let rows = try parse(text)
        guard let header = rows.first else { throw Malformed(description: "no header") }
        return (header, rows.dropFirst().map { Dictionary(zip(header, $0).map { ($0, $1) }, uniquingKeysWith: { a, _ in a }) })
    }
}

import Foundation

/// A table in an HTML file, as Bitrix24 exports deals "to Excel" (`deals.xls` is HTML: a `<meta … charset=…>` and one
/// `<table>`), read record by record in constant memory: each `<tr>` a record of its `<th>`/`<td>` cells, on the line
/// of its row in the table (the header row is 1; rows without text are skipped but counted). Tags and attributes in
/// any case; inside a cell other tags are dropped, runs of white space become one space, `<br>` a line break, and the
/// entities `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp; &#NNN; &#xHH;` their characters. The encoding is the meta
/// tag's charset (UTF-8 or Windows-1251), else guessed as `DelimitedFile` guesses it. Reading ends at `</table>`.
///
/// Read by a small tokenizer over the file's bytes, written here: no HTML parser is in the package mirror, and a
/// table this regular needs none. Bounded as the other tables: a file over `maximumBytes`, a row over `maximumCells`
/// cells, a cell over `maximumCellBytes` or a tag never closed is a `DelimitedFile.Malformed` with its row.
public final class HTMLTableFile: ImportTable {
    typealias Malformed = DelimitedFile.Malformed

    /// The largest file read.
    public static let maximumBytes = SpreadsheetFile.maximumBytes
    /// The most cells a row may have.
    public static let maximumCells = DelimitedFile.maximumFields
    /// The longest cell, in bytes of the file.
    public static let maximumCellBytes = DelimitedFile.maximumFieldBytes
    static let maximumTagBytes = 1 << 16

    public let encoding: DelimitedFile.Encoding
    public var format: String { "HTML table (\(encoding.rawValue))" }

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var row = 0
    private var inRow = false
    private var inCell = false
    private var fields: [String] = []
    private var cell: [UInt8] = []
    private var space = false
    private var done = false

    /// Opens `url` and reads enough of its start to tell the encoding.
    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        guard size <= UInt64(Self.maximumBytes) else {
            throw Malformed(line: 0, reason: "an HTML table over \(Self.maximumBytes >> 20) MB: split it, or save it as CSV")
        }
        let start = try handle.read(upToCount: 1 << 20) ?? Data()
        let bom = start.starts(with: [0xEF, 0xBB, 0xBF])
        encoding = try Self.declaredEncoding(ArraySlice(start)) ?? (bom || DelimitedFile.looksLikeUTF8(ArraySlice(start)) ? .utf8 : .windows1251)
        buffer = Array(start)
        position = bom ? 3 : 0
        atEnd = start.isEmpty
    }

    deinit { try? handle.close() }

    /// The next record, or nil after the table. Rows without text are skipped; the header is the first record.
    public func next() throws -> DelimitedFile.Record? {
        while !done, let b = try byte() {
            if b == Self.lt {
                if let record = try tag() { return record }
            } else if inCell {
                try text(b)
            }
        }
        done = true
        return inRow ? try endRow() : nil
    }

    private static let lt = UInt8(ascii: "<")
    private static let gt = UInt8(ascii: ">")

    /// Reads the tag after `<` and does what it says; a record when it ends a row.
    private func tag() throws -> DelimitedFile.Record? {
        guard let first = try peek() else { return nil }
        if first == UInt8(ascii: "!") {
            try skipDeclaration()
            return nil
        }
        let closing = first == UInt8(ascii: "/")
        if closing { position += 1 }
        var name: [UInt8] = []
        while let b = try peek(), Self.isNameByte(b) {
            position += 1
            if name.count < 16 { name.append(b | 0x20) }
        }
        guard !name.isEmpty || closing || first == UInt8(ascii: "?") else {
            // A `<` that opens no tag ("a < b") is text.
            if inCell { try text(Self.lt) }
            return nil
        }
        try skipToTagEnd()
        switch (closing, String(decoding: name, as: UTF8.self)) {
        case (false, "tr"):
            let ended = inRow ? try endRow() : nil
            startRow()
            return ended
        case (false, "td"), (false, "th"):
            if !inRow { startRow() }
            try endCell()
            inCell = true
        case (true, "td"), (true, "th"): try endCell()
        case (true, "tr"): return inRow ? try endRow() : nil
        case (_, "br"):
            if inCell {
                try append(0x0A)
                space = false
            }
        case (true, "table"):
            done = true
            return inRow ? try endRow() : nil
        case (false, "script"), (false, "style"): try skipRawText(until: name)
        default: break
        }
        return nil
    }

    private func startRow() {
        row += 1
        inRow = true
        fields.removeAll(keepingCapacity: true)
    }

    private func endCell() throws {
        guard inCell else { return }
        guard fields.count < Self.maximumCells else { throw Malformed(line: row, reason: "more than \(Self.maximumCells) cells in a row") }
        fields.append(Self.decodingEntities(try decoded(cell)))
        cell.removeAll(keepingCapacity: true)
        inCell = false
        space = false
    }

    private func endRow() throws -> DelimitedFile.Record? {
        try endCell()
        inRow = false
        return fields.allSatisfy(\.isEmpty) ? nil : DelimitedFile.Record(line: row, fields: fields)
    }

    /// A byte of a cell's text: runs of white space become one space, none at the start or end of a line.
    private func text(_ b: UInt8) throws {
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C {
            space = true
            return
        }
        if space, let last = cell.last, last != 0x0A { try append(0x20) }
        space = false
        try append(b)
    }

    private func append(_ b: UInt8) throws {
        cell.append(b)
        guard cell.count <= Self.maximumCellBytes else {
            throw Malformed(line: row, reason: "a cell longer than \(Self.maximumCellBytes >> 10) KiB")
        }
    }

    private func decoded(_ bytes: [UInt8]) throws -> String {
        switch encoding {
        case .utf8:
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Malformed(line: row, reason: "text that is not UTF-8 (the file's charset says it is)")
            }
            return text
        case .windows1251: return DelimitedFile.windows1251(bytes)
        }
    }

    /// Skips to the `>` that ends the tag, past quoted attribute values.
    private func skipToTagEnd() throws {
        var quote: UInt8? = nil
        var count = 0
        while let b = try byte() {
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == Self.gt {
                return
            }
            count += 1
            guard count <= Self.maximumTagBytes else { throw Malformed(line: row, reason: "a tag that never closes (a '<' without its '>')") }
        }
    }

    /// Skips `<!-- … -->` or `<!DOCTYPE …>`.
    private func skipDeclaration() throws {
        position += 1
        guard try peek() == UInt8(ascii: "-") else { return try skipToTagEnd() }
        var dashes = 0
        while let b = try byte() {
            if b == Self.gt && dashes >= 2 { return }
            dashes = b == UInt8(ascii: "-") ? dashes + 1 : 0
        }
    }

    /// Skips a `<script>` or `<style>` to its closing tag.
    private func skipRawText(until name: [UInt8]) throws {
        while let b = try byte() {
            guard b == Self.lt, try peek() == UInt8(ascii: "/") else { continue }
            position += 1
            var closing: [UInt8] = []
            while let c = try peek(), Self.isNameByte(c), closing.count < 16 {
                position += 1
                closing.append(c | 0x20)
            }
            if closing == name { return try skipToTagEnd() }
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b)
    }

    private func byte() throws -> UInt8? {
        guard let b = try peek() else { return nil }
        position += 1
        return b
    }

    private func peek() throws -> UInt8? {
        if position >= buffer.count {
            try fill()
            if position >= buffer.count { return nil }
        }
        return buffer[position]
    }

    private func fill() throws {
        guard !atEnd else { return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
    }
}

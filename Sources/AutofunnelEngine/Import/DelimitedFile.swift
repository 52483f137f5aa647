import Foundation

/// A CSV file read record by record in constant memory: UTF-8 (with or without BOM) or Windows-1251 (told apart by
/// whether the start is valid UTF-8), `,` `;` or TAB (whichever the header line has most of outside quotes), RFC 4180
/// quoting with line breaks inside quoted fields. Every record carries the line it starts on, and a malformed file
/// (a quote never closed, a stray quote, a field over `maximumFieldBytes`, text that is not the detected encoding)
/// stops with that line in the error.
///
/// Written here rather than taken from CSV.swift: that reader accepts an unterminated quote silently (the rest of the
/// file becomes one field), reports no line numbers and reads Unicode scalar by scalar; see docs/PERFORMANCE.md for
/// the figures of both on the same file.
public final class DelimitedFile {
    public enum Encoding: String, Sendable { case utf8 = "UTF-8", windows1251 = "Windows-1251" }

    /// One record and the line of the file it starts on (the header is line 1).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    /// A malformed file, with the line where reading stopped (0 when the file as a whole is refused).
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
    }

    /// The longest field read: a longer one is a malformed file (most often a quote never closed).
    public static let maximumFieldBytes = 1 << 20
    /// The most fields a record may have.
    public static let maximumFields = 4096

    public let encoding: Encoding
    public let delimiter: UInt8
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    /// Bytes of the file before `buffer[0]`.
    private var consumed: Int64 = 0
    /// How many bytes a read asks for: 1 MiB for reading the file through, a few KiB for one record at an offset.
    private var chunk = 1 << 20
    /// Where in the file the record `next()` returned last starts (for `record(at:line:)`).
    public private(set) var lastRecordOffset: Int64 = 0
    /// The file's size in bytes when it was opened.
    public let size: Int64

    /// Opens `url` and reads enough of its start to tell the encoding and the delimiter.
    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        size = Int64((try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        let start = try handle.read(upToCount: 1 << 20) ?? Data()
        if start.starts(with: [0xFF, 0xFE]) || start.starts(with: [0xFE, 0xFF]) || start.prefix(4096).contains(0) {
            try? handle.close()
            throw Malformed(
                line: 0,
                reason: "the file is UTF-16 or binary, not text in UTF-8 or Windows-1251 (in Excel: Save As → \"CSV UTF-8\")")
        }
        let bom = start.starts(with: [0xEF, 0xBB, 0xBF])
        encoding = bom || Self.looksLikeUTF8(ArraySlice(start)) ? .utf8 : .windows1251
        delimiter = Self.delimiter(of: ArraySlice(start.dropFirst(bom ? 3 : 0)))
        buffer = Array(start)
        position = bom ? 3 : 0
        atEnd = start.isEmpty
    }

    deinit { try? handle.close() }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next() throws -> Record? {
        while true {
            guard try !exhausted() else { return nil }
            let start = line
            lastRecordOffset = consumed + Int64(position)
            let fields = try record()
            if fields.count == 1 && fields[0].isEmpty { continue }
            return Record(line: start, fields: fields)
        }
    }

    /// How many records the file likely has in all, judged by the bytes its first `read` records took (10 % more, so
    /// that memory reserved once for them rarely needs to grow), or nil before any was read.
    public func estimatedRecords(afterReading read: Int) -> Int? {
        guard read > 0, lastRecordOffset > 0 else { return nil }
        return Int(Double(size) / Double(lastRecordOffset) * Double(read) * 1.1)
    }

    private func exhausted() throws -> Bool {
        if position < buffer.count { return false }
        try fill()
        return position >= buffer.count
    }

    /// The record that starts at byte `offset` (as `lastRecordOffset` told), numbered `line`: reads a few KiB there
    /// instead of the file through. `next()` goes on after it.
    public func record(at offset: Int64, line: Int) throws -> Record? {
        try handle.seek(toOffset: UInt64(offset))
        buffer.removeAll(keepingCapacity: true)
        position = 0
        consumed = offset
        atEnd = false
        chunk = 1 << 13
        self.line = line
        return try next()
    }

    private func fill() throws {
        guard !atEnd else { return }
        if position > 0 {
            buffer.removeFirst(position)
            consumed += Int64(position)
            position = 0
        }
        let chunk = try handle.read(upToCount: chunk) ?? Data()
        if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
    }

    private func byte() throws -> UInt8? {
        if position >= buffer.count {
            try fill()
            if position >= buffer.count { return nil }
        }
        defer { position += 1 }
        return buffer[position]
    }

    private func peek() throws -> UInt8? {
        if position >= buffer.count {
            try fill()
            if position >= buffer.count { return nil }
        }
        return buffer[position]
    }

    private static let quote: UInt8 = 0x22
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    private func record() throws -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStart = true
        func finish() throws {
            guard fields.count < Self.maximumFields else { throw Malformed(line: line, reason: "more than \(Self.maximumFields) fields") }
            fields.append(try text(field))
            field.removeAll(keepingCapacity: true)
            fieldStart = true
            quoted = false
        }
        var quoteLine = line
        func append(_ b: UInt8) throws {
            field.append(b)
            if field.count > Self.maximumFieldBytes {
                if quoted {
                    throw Malformed(
                        line: quoteLine,
                        reason: "a quoted field is never closed (it runs on past \(Self.maximumFieldBytes / 1024) KiB, to line \(line))")
                }
                throw Malformed(line: line, reason: "a field longer than \(Self.maximumFieldBytes / 1024) KiB")
            }
        }
        while let b = try byte() {
            if quoted {
                if b == Self.quote {
                    let next = try peek()
                    if next == Self.quote {
                        position += 1
                        try append(Self.quote)
                    } else if next == nil || next == delimiter || next == Self.cr || next == Self.lf {
                        quoted = false
                        fieldStart = false
                    } else {
                        throw Malformed(line: line, reason: "a quote inside a quoted field that is not doubled")
                    }
                } else {
                    if b == Self.lf { line += 1 }
                    try append(b)
                }
                continue
            }
            if fieldStart && b == Self.quote && field.isEmpty {
                quoted = true
                quoteLine = line
                fieldStart = false
            } else if b == delimiter {
                try finish()
            } else if b == Self.cr || b == Self.lf {
                if b == Self.cr, try peek() == Self.lf { position += 1 }
                try finish()
                line += 1
                return fields
            } else {
                fieldStart = false
                try append(b)
            }
        }
        if quoted { throw Malformed(line: quoteLine, reason: "a quoted field is never closed") }
        try finish()
        return fields
    }

    /// Windows-1251 bytes as text (every byte is a character there, so this cannot fail).
    static func windows1251(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(b < 0x80 ? Unicode.Scalar(b) : cp1251[Int(b - 0x80)]) }
        return String(scalars)
    }

    private func text(_ bytes: [UInt8]) throws -> String {
        switch encoding {
        case .utf8:
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw Malformed(line: line, reason: "text that is not UTF-8 (save the file as UTF-8 or Windows-1251)")
            }
            return s
        case .windows1251: return Self.windows1251(bytes)
        }
    }

    /// Whether the bytes are UTF-8, allowing a character cut at the end of the sample.
    static func looksLikeUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var sample = bytes
        // Drop a sequence cut by the end of the sample: up to three continuation bytes and their lead.
        var back = 0
        while back < 4, let last = sample.last, last & 0xC0 == 0x80 || last & 0xC0 == 0xC0 {
            sample.removeLast()
            back += 1
            if last & 0xC0 == 0xC0 { break }
        }
        return String(validating: Array(sample), as: UTF8.self) != nil
    }

    /// `,`, `;` or TAB: whichever the first line has most of outside quotes (`,` when none).
    static func delimiter(of bytes: ArraySlice<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var quoted = false
        for b in bytes {
            if b == quote { quoted.toggle() }
            if !quoted && (b == lf || b == cr) { break }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        let best = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }
        return best.map { $0.value > 0 ? $0.key : 0x2C } ?? 0x2C
    }

    /// Windows-1251 bytes 0x80–0xFF.
    static let cp1251: [Unicode.Scalar] = Array(
        ("ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—\u{98}™љ›њќћџ\u{A0}ЎўЈ¤Ґ¦§Ё©Є«¬\u{AD}®Ї°±Ііґµ¶·ё№є»јЅѕї"
            + "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя").unicodeScalars)
}

import Foundation

extension HTMLTableFile {
    /// Whether a file's start is HTML: `<` first, after an optional UTF-8 byte order mark and white space.
    static func looksLikeHTML(_ start: ArraySlice<UInt8>) -> Bool {
        var bytes = start
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0x0C].contains($0) } == UInt8(ascii: "<")
    }

    /// The encoding a `charset=` before the table names (in a `<meta charset>` or `http-equiv` tag); nil when none does.
    static func declaredEncoding(_ start: ArraySlice<UInt8>) throws -> DelimitedFile.Encoding? {
        let lower = start.prefix(1 << 16).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        let tableAt = firstIndex(of: Array("<table".utf8), in: lower) ?? lower.count
        guard let at = firstIndex(of: Array("charset".utf8), in: lower[..<tableAt]) else { return nil }
        var i = at + "charset".utf8.count
        let skipped: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "'")]
        while i < tableAt, skipped.contains(lower[i]) { i += 1 }
        var name: [UInt8] = []
        while i < tableAt, name.count < 40, isCharsetByte(lower[i]) {
            name.append(lower[i])
            i += 1
        }
        switch String(decoding: name, as: UTF8.self) {
        case "utf-8", "utf8": return .utf8
        case "windows-1251", "cp1251", "x-cp1251", "win-1251": return .windows1251
        case "": return nil
        case let other:
            throw DelimitedFile.Malformed(
                line: 0, reason: "an HTML table in the \(other) encoding, which is not read here: save it as UTF-8 or Windows-1251")
        }
    }

    private static func isCharsetByte(_ b: UInt8) -> Bool {
        (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        firstIndex(of: needle, in: haystack[...])
    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
    ]

    /// The text with its character references replaced: the named ones above and `&#NNN;`, `&#xHH;`. Anything else
    /// after a `&` stays as it is.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "&", let semicolon = scalars[(i + 1)...].prefix(12).firstIndex(of: ";") else {
                out.append(scalars[i])
                i += 1
                continue
            }
            let reference = String(String.UnicodeScalarView(scalars[(i + 1)..<semicolon]))
            if let scalar = Self.scalar(reference) {
                out.append(scalar)
                i = semicolon + 1
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    private static func scalar(_ reference: String) -> Unicode.Scalar? {
        if let known = named[reference.lowercased()] { return known }
        guard reference.hasPrefix("#") else { return nil }
        let digits = reference.dropFirst()
        let code = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        return code.flatMap(Unicode.Scalar.init)
    }
}

import AutofunnelCore
import Foundation

/// Bitrix24 request parameters: a query string or form body with PHP brackets (`filter[>ID]=5`, `select[]=ID`,
/// `fields[PHONE][0][VALUE]=…`) or a JSON body, read into one `JSONValue` object. Leaves are strings (or, from JSON,
/// whatever JSON sent).
enum Bitrix24Params {
    /// The deepest bracket path a parameter may have (`fields[PHONE][0][VALUE]` is 4). PHP itself stops at 64
    /// (`max_input_nesting_level`); the values are read recursively, so a deeper name is refused, not followed.
    static let maximumDepth = 32

    /// Reads `a=1&b[c]=2&d[]=3` into an object; `plusIsSpace` for form bodies. A name nested deeper than
    /// `maximumDepth` is a 400.
    static func parse(query: String, plusIsSpace: Bool = true) throws -> [String: JSONValue] {
        var root: JSONValue = .object([:])
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]), plusIsSpace: plusIsSpace)
            let value = parts.count > 1 ? decode(String(parts[1]), plusIsSpace: plusIsSpace) : ""
            let path = keyPath(name)
            guard path.count <= maximumDepth else {
                // An AppError, so that each dialect (Bitrix24, amoCRM) answers it in its own form.
                throw AppError.badRequest("A parameter is nested deeper than \(maximumDepth) levels")
            }
            guard !path.isEmpty, !path[0].isEmpty else { continue }
            insert(.string(value), at: path[...], into: &root)
        }
        if case .object(let o) = root { return o }
        return [:]
    }

    /// `filter[>ID]` → `["filter", ">ID"]`; `select[]` → `["select", ""]` (an append). Stops one past
    /// `maximumDepth`, so a name of a million brackets costs no more than a short one.
    static func keyPath(_ name: String) -> [String] {
        guard let open = name.firstIndex(of: "[") else { return [name] }
        var path = [String(name[..<open])]
        var rest = name[open...]
        while path.count <= maximumDepth, rest.first == "[", let close = rest.firstIndex(of: "]") {
            path.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return path
    }

    static func insert(_ value: JSONValue, at path: ArraySlice<String>, into node: inout JSONValue) {
        guard let key = path.first else {
            node = value
            return
        }
        var object: [String: JSONValue]
        if case .object(let o) = node { object = o } else { object = [:] }
        let slot = key.isEmpty ? String(object.count) : key
        var child = object[slot] ?? .null
        insert(value, at: path.dropFirst(), into: &child)
        object[slot] = child
        node = .object(object)
    }

    static func decode(_ text: String, plusIsSpace: Bool) -> String {
        let spaced = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : text
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Every parameter of a request: the query string, then a form or JSON body over it.
    static func read(query: String?, body: String, contentType: String?) throws -> [String: JSONValue] {
        var params = try parse(query: query ?? "", plusIsSpace: true)
        let trimmed = body.drop { $0.isWhitespace }
        let isJSON = contentType?.lowercased().contains("json") == true || trimmed.first == "{"
        if isJSON, !trimmed.isEmpty {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)), case .object(let o) = value else {
                throw Bitrix24Error(status: 400, code: "INVALID_REQUEST", description: "The JSON body cannot be read")
            }
            params.merge(o) { $1 }
        } else if !trimmed.isEmpty {
            params.merge(try parse(query: body, plusIsSpace: true)) { $1 }
        }
        return params
    }
}

extension JSONValue {
    /// A member of an object, its name matched without regard to case (`FIELDS`, `fields`).
    subscript(b24 name: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        if let exact = o[name] { return exact }
        return o.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The members of an object, or nothing.
    var b24Object: [String: JSONValue] {
        if case .object(let o) = self { return o }
        return [:]
    }

    /// The value as text: strings as they are, whole numbers without a fraction, booleans as `true`/`false`.
    var b24Text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 9e15 ? String(Int64(n)) : String(n)
        case .bool(let b): b ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// The value as an integer (`"5"`, `5`, `5.0`) within ±(2^53 − 1), the integers JSON carries exactly; anything
    /// larger is no integer, so arithmetic on an id or a time from a caller has room and never traps.
    var b24Int: Int64? {
        let n: Int64? =
            switch self {
            case .number(let n): n.rounded() == n && abs(n) < 9e15 ? Int64(n) : nil
            case .string(let s): Int64(s.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        guard let n, n.magnitude <= Self.b24IntLimit else { return nil }
        return n
    }

    /// The largest integer magnitude the dialects accept: 2^53 − 1.
    static let b24IntLimit: UInt64 = 9_007_199_254_740_991

    /// A list: an array, an object with keys `0…n-1` (PHP's form of a list) in key order, or one value.
    var b24Items: [JSONValue] {
        switch self {
        case .array(let a): return a
        case .object(let o):
            return o.sorted { (Int($0.key) ?? Int.max, $0.key) < (Int($1.key) ?? Int.max, $1.key) }.map(\.value)
        case .null: return []
        default: return [self]
        }
    }

    /// A flag as Bitrix24 clients send it: `true`, `1`, `"Y"`, `"true"`, `"True"`.
    var b24Flag: Bool {
        switch self {
        case .bool(let b): b
        case .number(let n): n != 0
        case .string(let s): ["1", "y", "true", "yes"].contains(s.lowercased())
        default: false
        }
    }
}

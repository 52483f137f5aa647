import AutofunnelCore
import AutofunnelEngine
import Foundation

/// Parameters with PHP brackets (`filter[>ID]=5`, `select[]=ID`, `fields[PHONE][0][VALUE]=…`), as both incumbents'
/// clients send them in query strings and form bodies, read into one `JSONValue` object whose leaves are strings.
enum BracketParameters {
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
}

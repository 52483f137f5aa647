/// Where in an HTML document a template's placeholder stands, read from the text written before it, so that a value
/// is escaped for that place: text, a quoted attribute, an unquoted attribute, or an attribute that holds a URL.
enum HTMLContext: Equatable {
    case text
    /// Inside an attribute value; `quoted` when in quotes.
    case attribute(Attribute, quoted: Bool)

    /// What an attribute's value is to a browser.
    enum Attribute: Equatable {
        case plain
        /// A URL, and nothing of the value precedes the placeholder (so the value would choose the URL's scheme).
        case urlStart
        /// Script or style (`on…`, `style`): no value from a deal belongs there.
        case code
    }

    /// Attributes whose value is a URL a browser may follow or load.
    static let urlAttributes: Set<String> = [
        "href", "src", "action", "formaction", "poster", "cite", "background", "longdesc", "usemap", "xlink:href", "data", "codebase",
        "srcset", "manifest", "ping", "lowsrc", "dynsrc",
    ]

    /// The context at the end of `html`.
    static func at(end html: String) -> HTMLContext {
        // Only the last tag matters: find the last `<` not followed by a `>`, reading back from the end (the text
        // before it is never copied, so many placeholders in a long document stay linear).
        let bytes = html.utf8
        guard let open = bytes.lastIndex(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }), bytes[open] == UInt8(ascii: "<")
        else { return .text }
        enum State { case name, between, attribute, afterAttribute, beforeValue, quoted(UInt8), unquoted }
        var state = State.name
        var attribute: [UInt8] = []
        var valueLength = 0
        for b in bytes[bytes.index(after: open)...] {
            let space = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D
            switch state {
            case .name: if space { state = .between }
            case .between:
                if !space && b != UInt8(ascii: "/") {
                    attribute = [b]
                    state = .attribute
                }
            case .attribute:
                if b == UInt8(ascii: "=") { state = .beforeValue } else if space { state = .afterAttribute } else { attribute.append(b) }
            case .afterAttribute:
                if b == UInt8(ascii: "=") {
                    state = .beforeValue
                } else if !space {
                    attribute = [b]
                    state = .attribute
                }
            case .beforeValue:
                valueLength = 0
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    state = .quoted(b)
                } else if !space {
                    valueLength = 1
                    state = .unquoted
                }
            case .quoted(let q): if b == q { state = .between } else { valueLength += 1 }
            case .unquoted: if space { state = .between } else { valueLength += 1 }
            }
        }
        let name = String(decoding: attribute, as: UTF8.self).lowercased()
        func kind(_ length: Int) -> Attribute {
            if name.hasPrefix("on") || name == "style" { return .code }
            return urlAttributes.contains(name) && length == 0 ? .urlStart : .plain
        }
        switch state {
        case .quoted: return .attribute(kind(valueLength), quoted: true)
        case .beforeValue: return .attribute(kind(0), quoted: false)
        case .unquoted: return .attribute(kind(valueLength), quoted: false)
        default: return .text
        }
    }

    /// A value that may begin a URL attribute: http, https, mailto or tel, or a path without a scheme. Browsers
    /// ignore tabs, newlines and leading control characters in a scheme, so those are removed before the check.
    static func isSafeURL(_ value: String) -> Bool {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })).lowercased()
        guard let colon = cleaned.firstIndex(of: ":") else { return true }
        let scheme = cleaned[..<colon]
        // A colon after a `/`, `?` or `#` is part of a path, not a scheme.
        if scheme.contains(where: { "/?#".contains($0) }) { return true }
        return ["http", "https", "mailto", "tel"].contains(String(scheme))
    }
}

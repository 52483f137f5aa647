import Foundation

/// Which destinations a webhook may call: never loopback, link-local or private addresses (a CRM must not become a
/// way into the network it runs in) unless the operator allowlists the host.
public struct WebhookPolicy: Sendable {
    /// Hosts allowed even though they are private or loopback (`AUTOFUNNEL_WEBHOOK_ALLOW=127.0.0.1,hooks.lan`).
    public var allowlist: Set<String>

    public init(allowlist: Set<String> = []) { self.allowlist = allowlist }

    /// From the environment.
    public static var fromEnvironment: WebhookPolicy {
        let raw = ProcessInfo.processInfo.environment["AUTOFUNNEL_WEBHOOK_ALLOW"] ?? ""
        return WebhookPolicy(allowlist: Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }))
    }

    /// Why the URL may not be called, or nil when it may. E-mail channels pass `["smtp"]`.
    public func refusal(_ text: String, schemes: Set<String> = ["http", "https"]) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), let host = url.host?.lowercased(),
            !host.isEmpty
        else { return "not a \(schemes.sorted().joined(separator: " or ")) URL" }
        if allowlist.contains(host) { return nil }
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") { return "a local host" }
        for address in Self.addresses(of: host) where Self.isPrivate(address) { return "\(host) resolves to a private address (\(address))" }
        return nil
    }

    /// The addresses a host resolves to (the host itself when it is an address literal).
    static func addresses(of host: String) -> [String] {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &result) == 0, let first = result else { return isAddressLiteral(bare) ? [bare] : [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return out
    }

    static func isAddressLiteral(_ text: String) -> Bool {
        text.contains(":") || (text.split(separator: ".").count == 4 && text.split(separator: ".").allSatisfy { Int($0) != nil })
    }

    /// Loopback, private (RFC 1918, unique local), link-local, unspecified and carrier-grade NAT addresses.
    static func isPrivate(_ address: String) -> Bool {
        let a = address.lowercased()
        if a.contains(":") {
            return a == "::1" || a == "::" || a.hasPrefix("fe80") || a.hasPrefix("fc") || a.hasPrefix("fd") || a.hasPrefix("::ffff:127.")
                || a.hasPrefix("::ffff:10.") || a.hasPrefix("::ffff:192.168.")
        }
        let parts = a.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (127, _), (10, _), (0, _), (169, 254), (192, 168): return true
        case (172, 16...31), (100, 64...127): return true
        default: return false
        }
    }
}

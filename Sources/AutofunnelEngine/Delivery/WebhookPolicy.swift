import Foundation
import NIOCore
import NIOPosix

/// Which destinations a webhook, channel or `call_and_wait` post may reach: never loopback, private, link-local or any
/// other special-purpose address (a CRM must not become a way into the network it runs in) unless the operator
/// allowlists the host. A delivery resolves the host once, checks every address, and connects to the one it checked.
public struct WebhookPolicy: Sendable {
    /// Hosts allowed even though they are private or loopback (`AUTOFUNNEL_WEBHOOK_ALLOW=127.0.0.1,hooks.lan`).
    public var allowlist: Set<String>

    /// A policy allowing these hosts (lower-cased names or address literals as the URL writes them).
    public init(allowlist: Set<String> = []) { self.allowlist = allowlist }

    /// From the environment.
    public static var fromEnvironment: WebhookPolicy {
        let raw = ProcessInfo.processInfo.environment["AUTOFUNNEL_WEBHOOK_ALLOW"] ?? ""
        return WebhookPolicy(allowlist: Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }))
    }

    /// A destination checked for one connection: the URL's host and port and the one address to connect to.
    public struct Destination: Sendable, Hashable {
        /// The host as the URL has it (and as AsyncHTTPClient reads it), without IPv6 brackets.
        public var host: String
        /// The URL's port, or its scheme's default.
        public var port: Int
        /// The checked address; the connection goes here and nowhere else.
        public var address: IPAddress

        /// A destination pinned to `address`.
        public init(host: String, port: Int, address: IPAddress) {
            self.host = host
            self.port = port
            self.address = address
        }

        /// The address and port to connect to.
        public var socketAddress: SocketAddress {
            get throws { try SocketAddress(packedIPAddress: ByteBuffer(bytes: address.bytes), port: port) }
        }
    }

    /// What the policy says about a URL.
    public enum Verdict: Sendable, Equatable {
        /// May be called, at this address only.
        case allowed(Destination)
        /// May never be called (the reason names the address and its range).
        case refused(String)
        /// The host did not resolve now; it may later.
        case unresolved(String)
    }

    /// Why the URL may not be called, or nil when it may or its host does not resolve yet (the delivery checks again).
    /// E-mail channels pass `["smtp"]`.
    public func refusal(_ text: String, schemes: Set<String> = ["http", "https"]) -> String? {
        if case .refused(let why) = check(text, schemes: schemes) { return why }
        return nil
    }

    /// `check` off the concurrency pool: `getaddrinfo` blocks for as long as DNS takes.
    public func destination(_ text: String, schemes: Set<String> = ["http", "https"]) async -> Verdict {
        do {
            return try await NIOThreadPool.singleton.runIfActive { check(text, schemes: schemes) }
        } catch {
            return .unresolved("resolver unavailable: \(error)")
        }
    }

    /// Parses the URL, resolves its host once and checks every address it resolves to; an allowlisted host skips the
    /// range check but is still pinned to the first address.
    public func check(_ text: String, schemes: Set<String> = ["http", "https"]) -> Verdict {
        // Foundation's URL, like AsyncHTTPClient's, so that the host checked is the host the client connects to.
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), let raw = url.host else {
            return .refused("not a \(schemes.sorted().joined(separator: " or ")) URL")
        }
        let host = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
        let port = url.port ?? Self.defaultPorts[scheme] ?? 0
        guard !host.isEmpty, (1...65_535).contains(port) else { return .refused("not a \(schemes.sorted().joined(separator: " or ")) URL") }
        let name = host.lowercased().hasSuffix(".") ? String(host.lowercased().dropLast()) : host.lowercased()
        let allowed = allowlist.contains(name) || allowlist.contains("[\(name)]")
        if !allowed, name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local") { return .refused("a local host") }
        let addresses: [IPAddress]
        switch Self.resolve(host) {
        case .success(let found): addresses = found
        case .failure(let error): return .unresolved("cannot resolve \(host): \(error.text)")
        }
        if !allowed {
            for address in addresses {
                if let why = address.refusalReason { return .refused("\(host) resolves to \(address), \(why)") }
            }
        }
        return .allowed(Destination(host: host, port: port, address: addresses[0]))
    }

    static let defaultPorts = ["http": 80, "https": 443, "smtp": 25]

    /// A `getaddrinfo` failure.
    struct ResolveError: Error {
        let text: String
    }

    /// Every address `getaddrinfo` gives for `host`, in its order, without repeats. Numeric hosts in any form the C
    /// library reads (`2130706433`, `0x7f.1`, `017700000001`, `127.1`) come back as the address they mean.
    static func resolve(_ host: String) -> Result<[IPAddress], ResolveError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &result)
        guard code == 0, let first = result else { return .failure(ResolveError(text: String(cString: gai_strerror(code)))) }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let raw = info.pointee.ai_addr, let address = IPAddress(socketAddress: raw), !found.contains(address) { found.append(address) }
            cursor = info.pointee.ai_next
        }
        return found.isEmpty ? .failure(ResolveError(text: "no IPv4 or IPv6 address")) : .success(found)
    }
}

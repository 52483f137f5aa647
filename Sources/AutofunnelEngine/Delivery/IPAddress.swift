import Foundation

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16). Text is parsed and printed by the C library
/// (`inet_pton`, `inet_ntop`), so every check compares bytes, never strings.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, most significant first.
    public let bytes: [UInt8]

    /// The address with these bytes; nil unless there are 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses strict dotted-quad IPv4 or IPv6 text (square brackets allowed); nil for anything else. Names and the
    /// short, decimal, octal and hex IPv4 forms are not addresses here: `WebhookPolicy` resolves those.
    public init?(_ text: String) {
        var bare = Substring(text)
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = bare.dropFirst().dropLast() }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(bare), &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(bare), &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &v6) { Array($0) }
    }

    /// The address of a `sockaddr_in` or `sockaddr_in6` (as `getaddrinfo` returns them); nil for other families.
    init?(socketAddress: UnsafePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            var address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        case AF_INET6:
            var address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        default:
            return nil
        }
    }

    /// True for a 4-byte address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The canonical text (`inet_ntop`): `127.0.0.1`, `::1`, `::ffff:169.254.169.254`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address in bytes `offset..<offset + 4`, each byte XORed with `mask` (Teredo obscures its client).
    func ipv4(at offset: Int, mask: UInt8 = 0) -> IPAddress {
        IPAddress(uncheckedBytes: bytes[offset..<offset + 4].map { $0 ^ mask })
    }

    private init(uncheckedBytes: [UInt8]) { bytes = uncheckedBytes }
}

extension IPAddress {
    /// A CIDR block (`10.0.0.0/8`, `fc00::/7`) with the name the IANA registries give it.
    struct Block: Sendable, CustomStringConvertible {
        let base: IPAddress
        let length: Int
        let name: String

        /// `cidr` is written in the source, so a malformed one is a programming error.
        init(_ cidr: String, _ name: String) {
            let parts = cidr.split(separator: "/")
            guard parts.count == 2, let base = IPAddress(String(parts[0])), let length = Int(parts[1]), (0...base.bytes.count * 8).contains(length)
            else { preconditionFailure("bad CIDR block \(cidr)") }
            self.base = base
            self.length = length
            self.name = name
        }

        var description: String { "\(base)/\(length)" }

        /// True when `address` is of the same family and its first `length` bits are the block's.
        func contains(_ address: IPAddress) -> Bool {
            guard address.bytes.count == base.bytes.count else { return false }
            let whole = length / 8
            guard address.bytes[..<whole] == base.bytes[..<whole] else { return false }
            let rest = length % 8
            guard rest > 0 else { return true }
            let mask = UInt8(0xFF) << (8 - rest)
            return address.bytes[whole] & mask == base.bytes[whole] & mask
        }
    }
}

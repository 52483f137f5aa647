extension IPAddress {
    /// Why a connection to this address must be refused, or nil for a globally reachable unicast address.
    ///
    /// Refused: every block of the IANA IPv4 and IPv6 special-purpose address registries that is not globally
    /// reachable, multicast, and IPv6 outside global unicast `2000::/3`. IPv6 forms that carry an IPv4 address —
    /// IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 `64:ff9b::/96`, 6to4 and Teredo — are judged by the IPv4
    /// addresses they carry, so `::ffff:a9fe:a9fe` is refused like `169.254.169.254`.
    public var refusalReason: String? {
        if isIPv4 { return Self.ipv4Blocks.first { $0.contains(self) }.map { "\($0.name) (\($0))" } }
        if let block = Self.ipv6Exact.first(where: { $0.contains(self) }) { return "\(block.name) (\(block))" }
        if let (form, carried) = embeddedIPv4 {
            for address in carried {
                if let why = address.refusalReason { return "\(form) of \(address), \(why)" }
            }
            return nil
        }
        if let block = Self.ipv6Blocks.first(where: { $0.contains(self) }) { return "\(block.name) (\(block))" }
        if !Self.globalUnicast.contains(self) { return "not global unicast (outside \(Self.globalUnicast))" }
        return nil
    }

    /// The IPv4 addresses an IPv6 address carries and the name of the form, or nil when it carries none.
    var embeddedIPv4: (form: String, addresses: [IPAddress])? {
        guard !isIPv4 else { return nil }
        for (block, offset) in Self.ipv4Carriers where block.contains(self) { return (block.name, [ipv4(at: offset)]) }
        // Teredo (RFC 4380): the server's address in bits 32–63, the client's public address inverted in bits 96–127.
        if Self.teredo.contains(self) { return ("Teredo", [ipv4(at: 4), ipv4(at: 12, mask: 0xFF)]) }
        return nil
    }

    /// IPv4 blocks refused (IANA IPv4 special-purpose registry, entries not globally reachable; multicast; reserved).
    static let ipv4Blocks: [Block] = [
        Block("0.0.0.0/8", "this network"),
        Block("10.0.0.0/8", "private"),
        Block("100.64.0.0/10", "shared address space"),
        Block("127.0.0.0/8", "loopback"),
        Block("169.254.0.0/16", "link-local"),
        Block("172.16.0.0/12", "private"),
        // Two /32s inside (PCP and TURN anycast) are global, but neither can be a webhook receiver.
        Block("192.0.0.0/24", "IETF protocol assignments"),
        Block("192.0.2.0/24", "documentation (TEST-NET-1)"),
        Block("192.88.99.0/24", "6to4 relay anycast"),
        Block("192.168.0.0/16", "private"),
        Block("198.18.0.0/15", "benchmarking"),
        Block("198.51.100.0/24", "documentation (TEST-NET-2)"),
        Block("203.0.113.0/24", "documentation (TEST-NET-3)"),
        Block("224.0.0.0/4", "multicast"),
        Block("255.255.255.255/32", "limited broadcast"),
        Block("240.0.0.0/4", "reserved"),
    ]

    /// IPv6 addresses checked before the IPv4-carrying forms, which would otherwise read them as IPv4 `0.0.0.x`.
    static let ipv6Exact: [Block] = [Block("::1/128", "loopback"), Block("::/128", "unspecified")]

    /// IPv6 forms that carry an IPv4 address in their last bytes from `offset` (RFC 4291, 6052, 2765, 3056).
    static let ipv4Carriers: [(Block, Int)] = [
        (Block("::ffff:0:0/96", "IPv4-mapped"), 12),
        (Block("::ffff:0:0:0/96", "IPv4-translated"), 12),
        (Block("::/96", "IPv4-compatible"), 12),
        (Block("64:ff9b::/96", "NAT64"), 12),
        (Block("2002::/16", "6to4"), 2),
    ]

    static let teredo = Block("2001::/32", "Teredo")

    /// IPv6 blocks refused (IANA IPv6 special-purpose registry, entries not globally reachable; deprecated; multicast).
    static let ipv6Blocks: [Block] = [
        // The local-use NAT64 prefix may hold the IPv4 address at several offsets (RFC 8215): refused whole.
        Block("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
        Block("100::/64", "discard-only"),
        Block("100:0:0:1::/64", "dummy prefix"),
        Block("2001:db8::/32", "documentation"),
        // The few global entries inside (AMT, AS112, ORCHIDv2, anycast /128s) cannot be webhook receivers.
        Block("2001::/23", "IETF protocol assignments"),
        Block("3fff::/20", "documentation"),
        Block("5f00::/16", "segment routing (SRv6) SIDs"),
        Block("fc00::/7", "unique local"),
        Block("fe80::/10", "link-local"),
        Block("fec0::/10", "site-local (deprecated)"),
        Block("ff00::/8", "multicast"),
    ]

    static let globalUnicast = Block("2000::/3", "global unicast")
}

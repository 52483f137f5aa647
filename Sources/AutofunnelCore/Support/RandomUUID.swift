/// Random (version 4) UUIDs as lowercase text, from the system's generator. Foundation's `UUID()` opens and reads
/// `/dev/urandom` for each one on Linux (an open, a stat, a read and a close per id): the system call `getrandom`
/// behind `SystemRandomNumberGenerator` is one call and no file.
public enum RandomUUID {
    /// A new random UUID, e.g. `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
    public static func string() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for (i, word) in [generator.next() as UInt64, generator.next() as UInt64].enumerated() {
            for k in 0..<8 { bytes[i * 8 + k] = UInt8(truncatingIfNeeded: word >> (UInt64(k) * 8)) }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 4122 variant
        return text(bytes)
    }

    /// The 16 bytes as `8-4-4-4-12` lowercase hex digits.
    static func text(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

import Crypto
import Foundation

/// Random secrets and their stored hashes. Session ids, CSRF tokens, API tokens and setup tokens come from the
/// system's cryptographic generator; only SHA-256 hashes of them reach the database.
public enum Secrets {
    /// `bytes` random bytes as lower-case hex (16 bytes = 128 bits).
    public static func hex(bytes: Int = 16) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// `bytes` random bytes as base64url without padding.
    public static func base64URL(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// Bytes as base64url without padding (as in JWTs).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The SHA-256 of a secret as hex: what is stored and looked up.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time independent of where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// A password a person can type, for demo users: 16 characters of base64url.
    public static func password() -> String { base64URL(bytes: 12) }
}

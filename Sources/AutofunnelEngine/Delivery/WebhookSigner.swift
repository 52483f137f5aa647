import AutofunnelCore
import Crypto
import Foundation

/// Standard Webhooks 1.0 signatures: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), where the key is
/// the base64 after `whsec_` in the endpoint's secret.
public enum WebhookSigner {
    /// A new endpoint secret: `whsec_` + 32 random bytes in base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    /// The `webhook-signature` value for a message.
    public static func signature(secret: String, id: String, timestamp: Int64, body: String) -> String {
        let key = Data(base64Encoded: String(secret.dropFirst(secret.hasPrefix("whsec_") ? 6 : 0))) ?? Data(secret.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}

extension WebhookSigner {
    /// How far a signed request's timestamp may be from now: older ones are refused as replays.
    public static let toleranceSeconds: Int64 = 300

    /// Whether a request carries a valid signature of `body` by `secret` (one of the space-separated `v1,` values) and
    /// a timestamp within the tolerance.
    public static func verify(secret: String, id: String?, timestamp: String?, signatures: String?, body: String, now: Timestamp) -> Bool {
        // The header is the caller's: any Int64 may arrive, and `abs` of a difference could trap on overflow.
        guard let id, let timestamp, let seconds = Int64(timestamp), let signatures else { return false }
        let (difference, overflow) = (now.millis / 1000).subtractingReportingOverflow(seconds)
        guard !overflow, difference.magnitude <= toleranceSeconds.magnitude else { return false }
        let expected = signature(secret: secret, id: id, timestamp: seconds, body: body)
        return signatures.split(separator: " ").contains { Secrets.equal(String($0), expected) }
    }
}

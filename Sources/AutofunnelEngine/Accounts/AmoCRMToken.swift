import AutofunnelCore
import Crypto
import Foundation

/// An amoCRM long-lived token: a JWT signed with HS256 by the installation's key, naming one of our API tokens (`jti`)
/// and its user (`sub`), valid until `exp`. The JWT is that API token's secret, so revoking the token, the user's
/// roles and grants and the token's scope apply to it exactly as to a native token; the signature and `exp` are checked
/// on every request on top of that.
public struct AmoCRMToken: Hashable, Sendable {
    /// The API token the JWT is the secret of.
    public var tokenID: Int64
    public var user: UserID
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp

    /// The name of the signing key in `server_secrets`.
    static let keyName = "amocrm_jwt_hs256"

    public init(tokenID: Int64, user: UserID, issuedAt: Timestamp, expiresAt: Timestamp) {
        self.tokenID = tokenID
        self.user = user
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// The compact JWT: `header.payload.signature`, each base64url without padding.
    public func signed(key: String) -> String {
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload =
            #"{"jti":"\#(tokenID)","sub":"\#(user.rawValue)","iat":\#(issuedAt.millis / 1000),"exp":\#(expiresAt.millis / 1000),"#
            + #""iss":"autofunnel","token_kind":"long_lived"}"#
        let input = Secrets.base64URL(Data(header.utf8)) + "." + Secrets.base64URL(Data(payload.utf8))
        return input + "." + Secrets.base64URL(Self.signature(input, key: key))
    }

    /// Whether the text has the shape of a JWT (three base64url parts, a JSON header): such a bearer is verified as one.
    public static func looksLikeJWT(_ text: String) -> Bool {
        text.hasPrefix("eyJ") && text.split(separator: ".", omittingEmptySubsequences: false).count == 3
    }

    /// The token a JWT stands for, when its signature is the installation's and it has not expired at `now`.
    public static func verified(_ jwt: String, key: String, now: Timestamp) -> AmoCRMToken? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let sent = data(base64URL: parts[2]), let headerData = data(base64URL: parts[0]),
            let payloadData = data(base64URL: parts[1])
        else { return nil }
        guard HMAC<SHA256>.isValidAuthenticationCode(sent, authenticating: Data((parts[0] + "." + parts[1]).utf8), using: symmetric(key)) else {
            return nil
        }
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(JSONValue.self, from: headerData), header[lenient: "alg"] == .string("HS256"),
            let claims = try? decoder.decode(JSONValue.self, from: payloadData),
            let tokenID = claims[lenient: "jti"]?.lenientInt, let user = claims[lenient: "sub"]?.lenientInt,
            let exp = claims[lenient: "exp"]?.lenientInt,
            exp < 100_000_000_000, exp * 1000 > now.millis
        else { return nil }
        let issued = Timestamp(millis: (claims[lenient: "iat"]?.lenientInt ?? 0) * 1000)
        return AmoCRMToken(tokenID: tokenID, user: UserID(user), issuedAt: issued, expiresAt: Timestamp(millis: exp * 1000))
    }

    static func symmetric(_ key: String) -> SymmetricKey { SymmetricKey(data: Data(key.utf8)) }

    static func signature(_ input: String, key: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: symmetric(key)))
    }

    static func data(base64URL text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

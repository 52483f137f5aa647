import AutofunnelCore
import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt from hummingbird-auth, run off the request threads. The password is first reduced to a SHA-256 digest in
/// base64 (44 bytes), so passwords longer than bcrypt's 72 bytes — any 64 Cyrillic characters — count in full.
public struct PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds; 12 in production (ASVS asks at least 10), lower only in tests.
    public let cost: UInt8
    public let policy: PasswordPolicy

    public init(cost: UInt8 = 12, policy: PasswordPolicy = PasswordHasher.bundledPolicy) {
        self.cost = cost
        self.policy = policy
    }

    static func prepared(_ password: String) -> String { Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString() }

    /// A new bcrypt hash (`$2b$<cost>$…`).
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(Self.prepared(password), cost: cost) }
    }

    /// Whether the password matches the hash. Without a hash, a dummy one is checked so the answer takes as long.
    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? Self.dummy(cost: cost)
        let ok = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(Self.prepared(password), hash: target) }
        return ok && hash != nil
    }

    private static func dummy(cost: UInt8) -> String {
        cost == 12 ? dummy12 : Bcrypt.hash("timing-equaliser", cost: cost)
    }

    private static let dummy12 = Bcrypt.hash("timing-equaliser", cost: 12)

    /// The policy with the bundled list of common passwords (`Resources/security/common-passwords.txt`).
    public static let bundledPolicy: PasswordPolicy = {
        let url = Bundle.module.bundleURL.appendingPathComponent("Resources/security/common-passwords.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return PasswordPolicy(common: []) }
        let words = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.lowercased() }
        return PasswordPolicy(common: Set(words))
    }()
}

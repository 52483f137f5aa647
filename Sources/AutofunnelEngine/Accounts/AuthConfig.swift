/// Limits of sign-in, sessions and throttling. Defaults follow OWASP ASVS 5.0 level 2.
public struct AuthConfig: Sendable {
    /// A session unused this long ends (milliseconds).
    public var idleTimeout: Int64 = 2 * 3_600_000
    /// A session ends this long after sign-in, used or not (milliseconds).
    public var absoluteTimeout: Int64 = 12 * 3_600_000
    /// Mark cookies `Secure`: on when the public URL is https.
    public var secureCookies = false
    /// Failed sign-ins of one account before each further attempt waits.
    public var accountFailures = 5
    /// Failed sign-ins from one address before each further attempt waits (offices share addresses).
    public var addressFailures = 20
    /// The first wait; each further failure doubles it (milliseconds).
    public var firstDelay: Int64 = 60_000
    /// The longest wait (milliseconds).
    public var maximumDelay: Int64 = 3_600_000
    /// Failures older than this no longer count (milliseconds).
    public var failureWindow: Int64 = 24 * 3_600_000
    /// A setup link is valid this long (milliseconds).
    public var setupLifetime: Int64 = 24 * 3_600_000
    /// A one-time set-password link (a new user's, a reset) is valid this long (milliseconds).
    public var passwordLinkLifetime: Int64 = 72 * 3_600_000

    public init() {}
}

import AutofunnelCore
import Synchronization

/// The authenticated caller of the current request, carried as a task-local value because the generated OpenAPI
/// handlers never see the Hummingbird context.
public struct Caller: Sendable {
    public let principal: Principal
    /// The hash of the session id when the caller came with a session cookie.
    public let sessionHash: String?
    public let ip: String

    public init(principal: Principal, sessionHash: String?, ip: String) {
        self.principal = principal
        self.sessionHash = sessionHash
        self.ip = ip
    }

    /// What sign-in needs to know of any request, authenticated or not.
    public struct Facts: Sendable {
        public let ip: String
        public let userAgent: String?
        /// The session cookie the browser sent, valid or not (sign-in ends it: the id changes).
        public let sessionCookie: String?
        /// A `Set-Cookie` value for the response. The middleware sets it: the generated OpenAPI layer would
        /// percent-encode a header value.
        public let setCookie: Pending
        /// The body exactly as sent, for the routes whose signature covers it (callbacks, channel messages).
        public var rawBody: String? = nil

        public init(ip: String, userAgent: String?, sessionCookie: String?, setCookie: Pending, rawBody: String? = nil) {
            self.ip = ip
            self.userAgent = userAgent
            self.sessionCookie = sessionCookie
            self.setCookie = setCookie
            self.rawBody = rawBody
        }
    }

    /// A value a handler leaves for the middleware to put on the response.
    public final class Pending: Sendable {
        let value = Mutex<String?>(nil)
        public init() {}
        public func set(_ v: String) { value.withLock { $0 = v } }
        public var current: String? { value.withLock { $0 } }
    }

    @TaskLocal public static var current: Caller?
    @TaskLocal public static var facts: Facts?

    /// The caller of this request; only public routes run without one, and they do not ask.
    public static func require() throws -> Caller {
        guard let current else { throw AppError.unauthenticated }
        return current
    }
}

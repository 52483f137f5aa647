import AutofunnelEngine
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the peer address, which sign-in throttling
/// and the audit log record.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address as text, or `local` when there is no socket (in-process tests).
    public var clientIP: String { remoteAddress?.ipAddress ?? "local" }
}

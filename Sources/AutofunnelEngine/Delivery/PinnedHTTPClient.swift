import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one request over a connection to the address `WebhookPolicy` checked, never following a redirect.
///
/// Pinning: a client is made per request with AsyncHTTPClient's `dnsOverride` mapping the URL's host to the checked
/// address. The client then connects to that address without a lookup of its own (no second resolution, so no DNS
/// rebinding between check and connection), while the `Host` header, TLS SNI and certificate verification still
/// use the URL's host, so https keeps verifying the name the operator registered. Redirects are refused
/// (`.disallow`): a 3xx comes back as the answer and is never followed to a host nobody checked.
///
/// Limits: only the first address the host resolves to is tried (no fallback to its other addresses; a failed
/// connection fails the attempt, which the outbox retries later, resolving afresh); connections are not reused between
/// deliveries.
public enum PinnedHTTPClient {
    /// The largest answer body read; the rest is dropped (receivers' bodies are not used beyond logging).
    static let bodyLimit = 64 * 1024

    /// Executes `request` against `destination`, which must be the policy's verdict for `request.url`. The answer's
    /// body is read (up to `bodyLimit`) before the client closes, so the returned body is complete in memory.
    public static func execute(_ request: HTTPClientRequest, to destination: WebhookPolicy.Destination, timeout: TimeAmount) async throws
        -> HTTPClientResponse
    {
        guard let host = URL(string: request.url)?.host, [destination.host, "[\(destination.host)]"].contains(host) else {
            throw MismatchedDestination(url: request.url, host: destination.host)
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout))
        // A failed connection or handshake fails the attempt at once with its own error; the outbox retries with backoff.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let literal = IPAddress(destination.host) {
            // AsyncHTTPClient connects to an address literal as it is, with no lookup: it must be the one checked.
            guard literal == destination.address else { throw MismatchedDestination(url: request.url, host: destination.host) }
        } else {
            configuration.dnsOverride = [destination.host: destination.address.description]
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = (try? await response.body.collect(upTo: bodyLimit)) ?? ByteBuffer()
            try await client.shutdown()
            return HTTPClientResponse(version: response.version, status: response.status, headers: response.headers, body: .bytes(body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The request's URL is not the one the destination was checked for.
    public struct MismatchedDestination: Error, CustomStringConvertible {
        /// The request's URL.
        public let url: String
        /// The host the destination was checked for.
        public let host: String
        public var description: String { "\(url) is not the checked destination \(host)" }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How a live import talks to the other CRM: one HTTP request, one answer. A value, so tests replace it with a
/// closure that answers from memory and no test needs the network.
public struct LiveTransport: Sendable {
    /// One request as the fetcher sends it.
    public struct Request: Sendable, Equatable {
        /// `GET` or `POST`.
        public var method: String
        /// The absolute address.
        public var url: String
        /// Headers in the order they are sent.
        public var headers: [(String, String)]
        /// The body (JSON), if any.
        public var body: Data?

        /// A request of `method` to `url`.
        public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Data? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }

        public static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.url == b.url && a.body == b.body && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
        }
    }

    /// What the other side answered.
    public struct Response: Sendable, Equatable {
        /// The HTTP status code.
        public var status: Int
        /// The `Retry-After` header as sent, if any.
        public var retryAfter: String?
        /// The body, at most `LiveTransport.bodyLimit` bytes.
        public var body: Data

        /// An answer with `status` and `body`.
        public init(status: Int, retryAfter: String? = nil, body: Data = Data()) {
            self.status = status
            self.retryAfter = retryAfter
            self.body = body
        }
    }

    /// The largest body read: a page of 250 leads is a few hundred kilobytes, so anything near this is not a page.
    public static let bodyLimit = 32 << 20

    /// Sends one request; throws when no answer arrives (connection, TLS, timeout) or the body is over `bodyLimit`.
    public var send: @Sendable (Request) async throws -> Response

    /// A transport that sends with `send`.
    public init(send: @escaping @Sendable (Request) async throws -> Response) { self.send = send }

    /// The body of an answer was over `bodyLimit`.
    public struct BodyTooLarge: Error, CustomStringConvertible {
        /// The limit in bytes.
        public var limit: Int
        public var description: String { "the answer's body is over \(limit >> 20) MB" }
    }
}

extension LiveTransport {
    /// HTTP and HTTPS through AsyncHTTPClient's shared client: redirects not followed (a redirect could carry the
    /// token to another host), 60 s per request, at most `bodyLimit` of the body read.
    public static let live = LiveTransport { request in
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, timeout: .seconds(60))
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > bodyLimit {
            throw BodyTooLarge(limit: bodyLimit)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw BodyTooLarge(limit: bodyLimit)
        }
        return Response(status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"), body: Data(buffer: body))
    }

    /// One client for the process, with redirects refused.
    private static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))
}

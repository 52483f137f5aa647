import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// How a webhook or messenger message leaves: one POST to the address the policy checked, redirects not followed.
/// A value, so tests replace it (`unimplemented`, or a closure that records the post and answers as the test needs).
public struct WebhookTransport: Sendable {
    /// One POST as the outbox sends it.
    public struct Post: Sendable, Equatable {
        /// The endpoint's URL.
        public var url: String
        /// The request headers, in the order they are sent.
        public var headers: HTTPHeaders
        /// The body (the message's JSON payload).
        public var body: String
        /// The address `WebhookPolicy` checked for `url`; the connection goes there and nowhere else.
        public var destination: WebhookPolicy.Destination
        /// How long the whole exchange may take.
        public var timeout: TimeAmount

        /// A POST of `body` to `url`, pinned to `destination`.
        public init(url: String, headers: HTTPHeaders, body: String, destination: WebhookPolicy.Destination, timeout: TimeAmount) {
            self.url = url
            self.headers = headers
            self.body = body
            self.destination = destination
            self.timeout = timeout
        }
    }

    /// What the receiver answered, as far as delivery reads it.
    public struct Answer: Sendable, Equatable {
        /// The HTTP status code.
        public var status: Int
        /// The `Retry-After` header as sent, if any.
        public var retryAfter: String?
        /// The `Location` header as sent, if any (a redirect's target, reported and never followed).
        public var location: String?

        /// An answer with `status` and the headers delivery reads.
        public init(status: Int, retryAfter: String? = nil, location: String? = nil) {
            self.status = status
            self.retryAfter = retryAfter
            self.location = location
        }
    }

    /// Sends one POST and returns the answer; throws when no answer arrives (connection, TLS, timeout).
    public var post: @Sendable (Post) async throws -> Answer

    /// A transport that posts with `post`.
    public init(post: @escaping @Sendable (Post) async throws -> Answer) { self.post = post }
}

extension WebhookTransport {
    /// HTTP through `PinnedHTTPClient`: connected to the checked address, redirects refused, at most
    /// `PinnedHTTPClient.bodyLimit` of the answer's body read.
    public static let live = WebhookTransport { post in
        var request = HTTPClientRequest(url: post.url)
        request.method = .POST
        request.headers = post.headers
        request.body = .bytes(ByteBuffer(string: post.body))
        let response = try await PinnedHTTPClient.execute(request, to: post.destination, timeout: post.timeout)
        _ = try? await response.body.collect(upTo: PinnedHTTPClient.bodyLimit)
        return Answer(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"),
            location: response.headers.first(name: "location"))
    }

    /// For tests: every post is refused with `Unstubbed("WebhookTransport.post")`, so a test that posts a webhook it
    /// did not set up fails with that name.
    public static let unimplemented = WebhookTransport { _ in throw Unstubbed("WebhookTransport.post") }
}

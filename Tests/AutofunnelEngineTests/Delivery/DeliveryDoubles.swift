import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Synchronization

@testable import AutofunnelEngine

/// A webhook receiver played by the transport: it keeps every post and answers each URL path with the replies scripted
/// for it, in order (200 once none is left).
final class ScriptedReceiver: Sendable {
    typealias Reply = Result<WebhookTransport.Answer, any Error>
    private let state: Mutex<(posts: [WebhookTransport.Post], replies: [String: [Reply]])>

    init(_ replies: [String: [Reply]] = [:]) { state = Mutex(([], replies)) }

    /// What was posted, in order.
    var posts: [WebhookTransport.Post] { state.withLock { $0.posts } }

    /// The transport that posts here.
    var transport: WebhookTransport {
        WebhookTransport { post in
            try self.state.withLock { s in
                s.posts.append(post)
                let path = URL(string: post.url)?.path ?? ""
                guard var queue = s.replies[path], !queue.isEmpty else { return Reply.success(.init(status: 200)) }
                let reply = queue.removeFirst()
                s.replies[path] = queue
                return reply
            }.get()
        }
    }
}

/// An SMTP server played by the mailer: it keeps every letter and answers with the refusals scripted, in order
/// (nil accepts; accepted once none is left).
final class ScriptedMailServer: Sendable {
    private let state: Mutex<(letters: [Mailer.Letter], replies: [(any Error)?])>

    init(_ replies: [(any Error)?] = []) { state = Mutex(([], replies)) }

    /// What was handed over, in order.
    var letters: [Mailer.Letter] { state.withLock { $0.letters } }

    /// The mailer that sends here.
    var mailer: Mailer {
        Mailer { letter in
            let refusal = self.state.withLock { s in
                s.letters.append(letter)
                return s.replies.isEmpty ? nil : s.replies.removeFirst()
            }
            if let refusal { throw refusal }
        }
    }
}

/// A failure to reach the receiver, as a real connection would report it.
struct ConnectionRefused: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

extension TestServices {
    /// The loopback address the policy allows; nothing listens there (the doubles answer instead).
    static let loopback = IPAddress("127.0.0.1")!

    /// A delivery with these doubles; whatever is not given fails the test's message with `Unstubbed` when touched.
    func delivery(transport: WebhookTransport = .unimplemented, mailer: Mailer = .unimplemented) -> OutboxDelivery {
        OutboxDelivery(services: services, owner: "test", policy: WebhookPolicy(allowlist: ["127.0.0.1"]), mailer: mailer, transport: transport)
    }

    /// A webhook endpoint at `http://{host}:9{path}`.
    func webhook(_ name: String = "erp", path: String = "/hook", host: String = "127.0.0.1") async throws -> WebhookEndpoint {
        try await services.store.write { s in
            try await s.insertEndpoint(
                name: name, url: "http://\(host):9\(path)", secret: WebhookSigner.newSecret(), events: ["*"], at: Fixtures.t0)
        }
    }

    /// An e-mail channel through the SMTP server at `smtp://127.0.0.1:2525`.
    func mailChannel(sender: String? = "sales@shop.example") async throws -> WebhookEndpoint {
        try await services.store.write { s in
            try await s.insertEndpoint(
                name: "mail", url: "smtp://127.0.0.1:2525", secret: WebhookSigner.newSecret(), events: [], at: Fixtures.t0, kind: .email,
                sender: sender)
        }
    }

    /// Puts a message for `endpoint` in the outbox, due now; returns its id.
    @discardableResult
    func enqueue(_ type: String, data: [String: Any], for endpoint: WebhookEndpoint) async throws -> String {
        let now = clock.now()
        let id = Webhooks.messageID()
        let payload = Webhooks.payload(type: type, at: now, data: data)
        try await services.store.write { s in try await s.enqueue(type: type, payload: payload, id: id, endpoint: endpoint.id, at: now) }
        return id
    }

    /// The outbox message with this id as stored now.
    func message(_ id: String) async throws -> OutboxMessage {
        let all = try await services.store.read { s in try await s.outbox(status: nil) }
        guard let found = all.first(where: { $0.id == id }) else { throw StoreError.notFound(entity: "webhook message", id: id) }
        return found
    }
}

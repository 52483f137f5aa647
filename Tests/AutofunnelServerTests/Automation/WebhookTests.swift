import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// A real HTTP server on loopback that records what it receives and answers with the statuses it is given.
actor WebhookReceiver {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: String
    }

    var received: [Received] = []
    var answers: [String: [Int]] = [:]

    func answer(_ path: String, with statuses: [Int]) { answers[path] = statuses }

    func record(_ r: Received) -> Int {
        received.append(r)
        var queue = answers[r.path] ?? []
        let status = queue.isEmpty ? 200 : queue.removeFirst()
        answers[r.path] = queue
        return status
    }

    /// Runs `body` with the receiver listening on a free loopback port.
    static func with<T: Sendable>(_ body: @escaping @Sendable (WebhookReceiver, Int) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("/{name}") { request, context -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = await receiver.record(.init(path: request.uri.path, headers: headers, body: text))
            var response = Response(status: .init(code: status))
            if status == 503 { response.headers[.retryAfter] = "120" }
            return response
        }
        // The port arrives as an event when the server listens (or the stream ends if it cannot): no wall-clock wait,
        // so a busy machine only makes it slower, never failing.
        let (ports, bound) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task {
            defer { bound.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        defer { server.cancel() }
        var listening = ports.makeAsyncIterator()
        let port = try #require(await listening.next())
        return try await body(receiver, port)
    }
}

@Suite("Outgoing webhooks through the outbox")
struct WebhookTests {
    @Test func messagesAreSignedRetriedWithTheSameIdAndDisabledOn410() async throws {
        try await TestServices.with { t in
            try await WebhookReceiver.with { receiver, port in
                let delivery = OutboxDelivery.toLoopback(t.services)
                let (secret, goneID) = try await t.withAPI { api in
                    let refused = try await api.request(
                        .post, "/api/v1/webhooks", json: ["name": "inside", "url": "http://10.1.2.3/hook", "events": ["*"]])
                    #expect(refused.status == 422 && refused.fieldList == ["url"], "private addresses are refused")
                    let made = try await api.request(
                        .post, "/api/v1/webhooks",
                        json: ["name": "erp", "url": "http://127.0.0.1:\(port)/hook", "events": ["deal.created", "deal.won"]])
                    #expect(made.status == 201)
                    let gone = try await api.request(
                        .post, "/api/v1/webhooks", json: ["name": "old", "url": "http://127.0.0.1:\(port)/gone", "events": ["*"]])
                    let goneID = (gone.object["endpoint"] as? [String: Any])?["id"] as? Int
                    return (made.object["secret"] as? String ?? "", goneID ?? 0)
                }
                #expect(secret.hasPrefix("whsec_"))
                await receiver.answer("/hook", with: [500])
                await receiver.answer("/gone", with: [410])

                let deal = try await t.services.deals.create(
                    pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: t.manager.id), actor: Actor(kind: .user))
                #expect(try await delivery.deliverDue() == 2)
                #expect(try await delivery.deliverDue() == 0, "the retry waits")
                t.clock.advance(millis: 6000)
                #expect(try await delivery.deliverDue() == 1, "the disabled endpoint gets nothing more")

                let hits = await receiver.received.filter { $0.path == "/hook" }
                #expect(hits.count == 2)
                #expect(hits[0].headers["webhook-id"] == hits[1].headers["webhook-id"], "the same id on every attempt")
                let h = hits[1].headers
                let expected = WebhookSigner.signature(
                    secret: secret, id: h["webhook-id"] ?? "", timestamp: Int64(h["webhook-timestamp"] ?? "") ?? 0, body: hits[1].body)
                #expect(h["webhook-signature"] == expected && expected.hasPrefix("v1,"))
                let json = try JSONSerialization.jsonObject(with: Data(hits[1].body.utf8)) as? [String: Any]
                #expect(json?["type"] as? String == "deal.created")
                #expect((json?["data"] as? [String: Any])?["id"] as? Int == Int(deal.id.rawValue))

                let endpoints = try await t.services.store.read { s in try await s.endpoints() }
                #expect(endpoints.first { $0.id == Int64(goneID) }?.active == false, "410 Gone disables the endpoint")
                let messages = try await t.services.store.read { s in try await s.outbox(status: nil) }
                #expect(messages.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.delivered, .failed])

                _ = try await t.services.deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: Actor(kind: .user))
                #expect(try await t.services.store.read { s in try await s.outboxDepth() } == 0, "lost is not subscribed; the old endpoint is off")

                let delivered = try #require(messages.first { $0.status == .delivered })
                try await t.withAPI { api in
                    let status = try await api.request(.post, "/api/v1/webhook-messages/\(delivered.seq)/replay").status
                    #expect(status == 204)
                }
                #expect(try await delivery.deliverDue() == 1)
                let replayed = await receiver.received.filter { $0.path == "/hook" }
                #expect(replayed.count == 3 && replayed[2].headers["webhook-id"] == delivered.id, "a replay keeps the id")
            }
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await TestServices.with { t in
            try await WebhookReceiver.with { receiver, port in
                let delivery = OutboxDelivery.toLoopback(t.services)
                _ = try await t.services.store.write { s in
                    try await s.insertEndpoint(
                        name: "busy", url: "http://127.0.0.1:\(port)/busy", secret: WebhookSigner.newSecret(), events: ["*"], at: Fixtures.t0)
                }
                await receiver.answer("/busy", with: [503])
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "x"), actor: Actor(kind: .user))
                let before = t.clock.now()
                #expect(try await delivery.deliverDue() == 1)
                let pending = try #require(try await t.services.store.read { s in try await s.outbox(status: .pending) }.first)
                #expect(
                    pending.lastStatus == 503 && pending.nextAttemptAt.millis >= before.millis + 120_000,
                    "Retry-After: 120 beats the 5 s backoff (\(pending))")
            }
        }
    }

    @Test func retriesBackOffForAboutThreeDays() {
        let total = OutboxDelivery.backoff.reduce(0, +)
        #expect(total > 3 * 86_400_000 - 86_400_000 / 2 && total < 4 * 86_400_000)
        #expect(OutboxDelivery.backoff.first == 5000)
        for id in ["msg_a", "msg_b", "msg_c"] {
            let j = OutboxDelivery.jitter(id, 300_000)
            #expect(abs(j) <= 30_000)
        }
    }
}

import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import AutofunnelEngine

/// Webhook delivery as a receiver sees it, with the transport played by a double: no socket is opened, and the clock
/// is the test clock, so every wait is exact.
@Suite("Outbox delivery: webhooks through the transport")
struct WebhookDeliveryTests {
    @Test func aTwoHundredDeliversTheMessageSignedPerStandardWebhooks() async throws {
        try await TestServices.with(sales: false) { t in
            let receiver = ScriptedReceiver()
            let endpoint = try await t.webhook()
            let id = try await t.enqueue("deal.created", data: ["id": 1, "title": "Шкаф"], for: endpoint)
            let before = t.clock.now()
            #expect(try await t.delivery(transport: receiver.transport).deliverDue() == 1)
            let after = t.clock.now()

            let message = try await t.message(id)
            #expect(message.status == .delivered && message.lastStatus == 200 && message.lastError == nil && message.deliveredAt != nil)
            let post = try #require(receiver.posts.first)
            #expect(receiver.posts.count == 1)
            #expect(post.url == "http://127.0.0.1:9/hook" && post.body == message.payload)
            #expect(post.destination == .init(host: "127.0.0.1", port: 9, address: TestServices.loopback), "pinned to the checked address")
            #expect(post.timeout == .seconds(15))
            #expect(post.headers.map(\.name) == ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"])
            #expect(post.headers.first(name: "content-type") == "application/json")
            #expect(post.headers.first(name: "user-agent") == "Autofunnel-Webhooks/1")
            #expect(post.headers.first(name: "webhook-id") == id, "the outbox id is the webhook-id")
            let seconds = try #require(Int64(post.headers.first(name: "webhook-timestamp") ?? ""))
            #expect((before.millis / 1000...after.millis / 1000).contains(seconds))
            #expect(
                WebhookSigner.verify(
                    secret: endpoint.secret, id: post.headers.first(name: "webhook-id"), timestamp: post.headers.first(name: "webhook-timestamp"),
                    signatures: post.headers.first(name: "webhook-signature"), body: post.body, now: t.clock.now()))
        }
    }

    @Test func aBusyReceiversRetryAfterPutsTheNextAttemptThatMuchLater() async throws {
        try await TestServices.with(sales: false) { t in
            let receiver = ScriptedReceiver(["/busy": [.success(.init(status: 503, retryAfter: "120"))]])
            let id = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook(path: "/busy"))
            let delivery = t.delivery(transport: receiver.transport)
            let before = t.clock.now()
            #expect(try await delivery.deliverDue() == 1)

            let pending = try await t.message(id)
            #expect(pending.status == .pending && pending.lastStatus == 503 && pending.lastError == "HTTP 503")
            #expect(pending.nextAttemptAt.millis >= before.millis + 120_000, "Retry-After: 120 beats the 5 s backoff")
            #expect(try await delivery.deliverDue() == 0, "nothing is due before then")
            t.clock.advance(millis: 120_000)
            #expect(try await delivery.deliverDue() == 1)
            #expect(try await t.message(id).status == .delivered)
            #expect(receiver.posts.map { $0.headers.first(name: "webhook-id") } == [id, id], "the same id on every attempt")
        }
    }

    @Test func aRetryAfterLongerThanADayWaitsOneDay() async throws {
        try await TestServices.with(sales: false) { t in
            let receiver = ScriptedReceiver(["/busy": [.success(.init(status: 429, retryAfter: "99999999999"))]])
            let id = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook(path: "/busy"))
            let before = t.clock.now()
            try await t.delivery(transport: receiver.transport).deliverDue()
            let after = t.clock.now()
            let day = OutboxDelivery.maximumRetryAfterSeconds * 1000
            let pending = try await t.message(id)
            #expect(pending.status == .pending && pending.lastError == "HTTP 429")
            #expect((before.millis + day...after.millis + day).contains(pending.nextAttemptAt.millis))
        }
    }

    @Test func goneFailsTheMessageAndDisablesTheEndpoint() async throws {
        try await TestServices.with(sales: false) { t in
            let receiver = ScriptedReceiver(["/gone": [.success(.init(status: 410))]])
            let endpoint = try await t.webhook(path: "/gone")
            let first = try await t.enqueue("deal.created", data: ["id": 1], for: endpoint)
            let delivery = t.delivery(transport: receiver.transport)
            #expect(try await delivery.deliverDue() == 1)

            let failed = try await t.message(first)
            #expect(failed.status == .failed && failed.lastStatus == 410 && failed.lastError == "HTTP 410")
            let disabled = try await t.services.store.read { s in try await s.endpoint(endpoint.id) }
            #expect(!disabled.active && (disabled.disabledReason ?? "").hasPrefix("410 Gone at "))

            let second = try await t.enqueue("deal.won", data: ["id": 1], for: endpoint)
            #expect(try await delivery.deliverDue() == 1)
            let refused = try await t.message(second)
            #expect(refused.status == .failed && refused.lastError == "endpoint disabled")
            #expect(receiver.posts.count == 1, "a disabled endpoint is not called again")
        }
    }

    @Test func aRedirectIsReportedAndNotFollowed() async throws {
        try await TestServices.with(sales: false) { t in
            let receiver = ScriptedReceiver([
                "/moved": [.success(.init(status: 302, location: "http://127.0.0.1:9/elsewhere"))],
                "/vague": [.success(.init(status: 307))],
                "/long": [.success(.init(status: 301, location: "http://127.0.0.1:9/" + String(repeating: "x", count: 500)))],
            ])
            let moved = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook("a", path: "/moved"))
            let vague = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook("b", path: "/vague"))
            let long = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook("c", path: "/long"))
            #expect(try await t.delivery(transport: receiver.transport).deliverDue() == 3)

            let first = try await t.message(moved)
            #expect(first.status == .pending && first.lastStatus == 302)
            #expect(first.lastError == "HTTP 302: redirect to http://127.0.0.1:9/elsewhere not followed")
            #expect(try await t.message(vague).lastError == "HTTP 307: redirect to nowhere not followed")
            let truncated = "http://127.0.0.1:9/" + String(repeating: "x", count: 200 - 19)
            #expect(try await t.message(long).lastError == "HTTP 301: redirect to \(truncated) not followed", "the receiver's text is cut at 200")
            #expect(receiver.posts.count == 3, "nothing is posted to the redirect's target")
        }
    }

    @Test func aTransportErrorIsRetriedOnTheBackoffUntilTheAttemptsAreSpent() async throws {
        try await TestServices.with(sales: false) { t in
            let refusals = Array(repeating: ScriptedReceiver.Reply.failure(ConnectionRefused()), count: OutboxDelivery.backoff.count + 1)
            let receiver = ScriptedReceiver(["/down": refusals])
            let id = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook(path: "/down"))
            let delivery = t.delivery(transport: receiver.transport)
            for (attempt, wait) in OutboxDelivery.backoff.enumerated() {
                let before = t.clock.now()
                #expect(try await delivery.deliverDue() == 1)
                let after = t.clock.now()
                let pending = try await t.message(id)
                let expected = wait + OutboxDelivery.jitter(id, wait)
                #expect(pending.status == .pending && pending.attempts == attempt + 1)
                #expect(pending.lastError == "connection refused" && pending.lastStatus == nil)
                #expect((before.millis + expected...after.millis + expected).contains(pending.nextAttemptAt.millis), "attempt \(attempt + 1)")
                #expect(try await delivery.deliverDue() == 0, "the retry waits")
                t.clock.advance(millis: pending.nextAttemptAt.millis - t.clock.now().millis)
            }
            #expect(try await delivery.deliverDue() == 1)
            let failed = try await t.message(id)
            #expect(failed.status == .failed && failed.attempts == OutboxDelivery.backoff.count + 1)
            #expect(receiver.posts.count == OutboxDelivery.backoff.count + 1)
        }
    }

    @Test func aDestinationThePolicyRefusesIsNeverPosted() async throws {
        try await TestServices.with(sales: false) { t in
            // Loopback but not the allowlisted 127.0.0.1: refused before any transport is asked.
            let id = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook(host: "127.0.0.2"))
            #expect(try await t.delivery().deliverDue() == 1)
            let failed = try await t.message(id)
            #expect(failed.status == .failed && (failed.lastError ?? "").hasPrefix("destination refused: 127.0.0.2 resolves to 127.0.0.2"))
        }
    }
}

import AsyncHTTPClient
import AutofunnelCore
import AutofunnelStore
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers the outbox: each message POSTed to its endpoint, signed per Standard Webhooks, at least once, with the
/// same `webhook-id` on every attempt. Failures retry with growing, jittered waits for about three days; `Retry-After`
/// is honoured; 410 Gone disables the endpoint.
public struct OutboxDelivery: Service {
    let services: AppServices
    let owner: String
    let policy: WebhookPolicy

    /// Waits after the first, second, … failed attempt (Standard Webhooks' schedule, stretched to about three days).
    public static let backoff: [Int64] = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map { $0 * 1000 }

    public init(services: AppServices, owner: String = UUID().uuidString, policy: WebhookPolicy = .fromEnvironment) {
        self.services = services
        self.owner = owner
        self.policy = policy
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await deliverDue() == 0 { try await Task.sleep(for: .seconds(1)) }
                } catch is CancellationError {
                    return
                } catch {
                    services.logger.error("outbox round failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Delivers every message due now; returns how many attempts were made.
    @discardableResult
    public func deliverDue(batch: Int = 50) async throws -> Int {
        let now = services.clock.now()
        let owner = self.owner
        // A read first: when nothing is due the idle loop costs no write transaction.
        guard try await services.store.read({ s in try await s.hasDueMessages(now: now) }) else { return 0 }
        let claimed = try await services.store.write { s in
            try await s.claimDueMessages(now: now, owner: owner, until: now.adding(millis: 60_000), limit: batch)
        }
        for message in claimed { try await attempt(message) }
        services.metrics.outbox(depth: try await services.store.read { s in try await s.outboxDepth() })
        return claimed.count
    }

    func attempt(_ m: OutboxMessage) async throws {
        let endpoint = try await services.store.read { s in try await s.endpoint(m.endpoint) }
        let sentAt = services.clock.now()
        var httpStatus: Int?
        var retryAfter: Int64?
        var failure: String?
        var permanent = false
        if !endpoint.active {
            failure = "endpoint disabled"
            permanent = true
        } else if let refusal = policy.refusal(endpoint.url, schemes: endpoint.kind == .email ? ["smtp"] : ["http", "https"]) {
            failure = "destination refused: \(refusal)"
            permanent = true
        } else if endpoint.kind == .email {
            do {
                try await mail(m, via: endpoint)
            } catch let refused as SMTPClient.Failure {
                failure = refused.description
                permanent = refused.permanent
            } catch {
                failure = "\(error)"
            }
        } else {
            do {
                var request = HTTPClientRequest(url: endpoint.url)
                request.method = .POST
                let seconds = sentAt.millis / 1000
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "user-agent", value: "Autofunnel-Webhooks/1")
                request.headers.add(name: "webhook-id", value: m.id)
                request.headers.add(name: "webhook-timestamp", value: String(seconds))
                request.headers.add(
                    name: "webhook-signature", value: WebhookSigner.signature(secret: endpoint.secret, id: m.id, timestamp: seconds, body: m.payload))
                request.body = .bytes(ByteBuffer(string: m.payload))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                httpStatus = Int(response.status.code)
                retryAfter = response.headers.first(name: "retry-after").flatMap { Int64($0) }.map { $0 * 1000 }
                if !(200..<300).contains(Int(response.status.code)) { failure = "HTTP \(response.status.code)" }
                permanent = response.status.code == 410
            } catch {
                failure = "\(error)"
            }
        }
        let now = services.clock.now()
        let status: OutboxMessage.Status
        var next: Timestamp?
        if failure == nil {
            status = .delivered
        } else if permanent {
            status = .failed
        } else if m.attempts < Self.backoff.count {
            status = .pending
            let wait = max(Self.backoff[m.attempts] + Self.jitter(m.id, Self.backoff[m.attempts]), retryAfter ?? 0)
            next = now.adding(millis: wait)
        } else {
            status = .failed
        }
        if failure != nil { services.metrics.deliveryFailed(destination: endpoint.name) }
        let (code, error, retryAt) = (httpStatus, failure, next)
        try await services.store.write { s in
            try await s.recordAttempt(m.seq, status: status, httpStatus: code, error: error, next: retryAt, at: now)
            if code == 410 { try await s.disableEndpoint(endpoint.id, reason: "410 Gone at \(now.millis)") }
        }
    }

    /// Sends an e-mail message of the outbox through the channel's SMTP server; the outbox id is its Message-ID.
    func mail(_ m: OutboxMessage, via channel: WebhookEndpoint) async throws {
        guard let client = SMTPClient(url: channel.url) else { throw SMTPClient.Failure(code: 501, text: "not an smtp:// URL") }
        let body = (try? JSONSerialization.jsonObject(with: Data(m.payload.utf8))) as? [String: Any]
        let data = body?["data"] as? [String: Any] ?? [:]
        guard let to = data["to"] as? String else { throw SMTPClient.Failure(code: 501, text: "the message has no recipient") }
        try await client.send(
            from: channel.sender ?? "autofunnel@localhost", to: [to], subject: data["subject"] as? String ?? "", text: data["text"] as? String ?? "",
            messageID: m.id)
    }

    /// Up to ±10 % of the wait, fixed per message so that retries of many messages spread out but a test can predict them.
    public static func jitter(_ id: String, _ wait: Int64) -> Int64 {
        let h = id.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int64(h % 2001) * wait / 10_000 - wait / 10
    }
}

import AutofunnelCore
import AutofunnelStore
import Foundation
import NIOCore
import ServiceLifecycle

/// Delivers the outbox: each message POSTed to its endpoint, signed per Standard Webhooks, at least once, with the
/// same `webhook-id` on every attempt. Failures retry with growing, jittered waits for about three days; `Retry-After`
/// is honoured; 410 Gone disables the endpoint.
public struct OutboxDelivery: Service {
    let services: AppServices
    let owner: String
    let policy: WebhookPolicy
    /// How e-mail messages leave.
    let mailer: Mailer
    /// How webhook and messenger messages leave.
    let transport: WebhookTransport
    /// How long one POST may take before it counts as a failed attempt.
    let postTimeout: TimeAmount

    /// Waits after the first, second, … failed attempt (Standard Webhooks' schedule, stretched to about three days).
    public static let backoff: [Int64] = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map { $0 * 1000 }

    /// A delivery leasing messages as `owner`, checking destinations with `policy`, sending e-mail with `mailer` and
    /// posts with `transport` (tests pass doubles of the last two; nothing else reaches outside), each POST given
    /// `postTimeout` to answer.
    public init(
        services: AppServices, owner: String = UUID().uuidString, policy: WebhookPolicy = .fromEnvironment, mailer: Mailer = .live,
        transport: WebhookTransport = .live, postTimeout: TimeAmount = .seconds(15)
    ) {
        self.services = services
        self.owner = owner
        self.policy = policy
        self.mailer = mailer
        self.transport = transport
        self.postTimeout = postTimeout
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
        for message in claimed {
            do {
                try await attempt(message)
            } catch {
                await attemptFailed(message, error)
            }
        }
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
        // Resolved once here; the connection goes to the address checked, so DNS cannot move it elsewhere.
        var verdict = WebhookPolicy.Verdict.refused("endpoint disabled")
        if endpoint.active { verdict = await policy.destination(endpoint.url, schemes: endpoint.kind == .email ? ["smtp"] : ["http", "https"]) }
        if !endpoint.active {
            failure = "endpoint disabled"
            permanent = true
        } else if case .refused(let refusal) = verdict {
            failure = "destination refused: \(refusal)"
            permanent = true
        } else if case .unresolved(let reason) = verdict {
            failure = reason
        } else if case .allowed(let destination) = verdict, endpoint.kind == .email {
            do {
                try await mailer.send(Self.letter(m, via: endpoint, at: destination))
            } catch let refused as SMTPClient.Failure {
                failure = refused.description
                permanent = refused.permanent
            } catch {
                failure = "\(error)"
            }
        } else if case .allowed(let destination) = verdict {
            do {
                let answer = try await transport.post(Self.signedPost(m, to: endpoint, at: destination, sentAt: sentAt, timeout: postTimeout))
                httpStatus = answer.status
                retryAfter = Self.retryAfterMillis(answer.retryAfter)
                if !(200..<300).contains(answer.status) { failure = "HTTP \(answer.status)" }
                if (300..<400).contains(answer.status) {
                    let location = answer.location.map { String($0.prefix(200)) } ?? "nowhere"
                    failure = "HTTP \(answer.status): redirect to \(location) not followed"
                }
                permanent = answer.status == 410
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
        } else if let retry = Self.nextAttempt(m, now: now, retryAfter: retryAfter) {
            status = .pending
            next = retry
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

    /// An attempt that failed in our own code or database, not at the destination: counted like any failed attempt
    /// and logged with the message id, so a message that always fails ends as `failed` (listed by
    /// `GET /api/v1/webhook-messages?status=failed`) instead of coming back with every lease.
    func attemptFailed(_ m: OutboxMessage, _ error: any Error) async {
        let now = services.clock.now()
        let text = "\(error)"
        services.logger.error("outbox attempt failed", metadata: ["message": "\(m.id)", "attempt": "\(m.attempts + 1)", "error": "\(text)"])
        let next = Self.nextAttempt(m, now: now, retryAfter: nil)
        do {
            try await services.store.write { s in
                try await s.recordAttempt(
                    m.seq, status: next == nil ? .failed : .pending, httpStatus: nil, error: String(text.prefix(2000)), next: next, at: now)
            }
        } catch {
            services.logger.error("outbox failure could not be recorded", metadata: ["message": "\(m.id)", "error": "\(error)"])
        }
    }

    /// When a message whose attempt failed is tried again: the backoff of its attempt count (jittered), or later if
    /// the receiver asked so; nil when its attempts are spent.
    static func nextAttempt(_ m: OutboxMessage, now: Timestamp, retryAfter: Int64?) -> Timestamp? {
        guard m.attempts < backoff.count else { return nil }
        let wait = backoff[m.attempts] + jitter(m.id, backoff[m.attempts])
        return now.adding(millis: max(wait, retryAfter ?? 0))
    }

    /// The longest `Retry-After` honoured: a day. A receiver's header is outside input like any other.
    public static let maximumRetryAfterSeconds: Int64 = 86_400

    /// A `Retry-After` of delay-seconds as milliseconds, capped at `maximumRetryAfterSeconds`; nil for anything else
    /// (an HTTP date, a negative or malformed value), which leaves the backoff alone.
    public static func retryAfterMillis(_ header: String?) -> Int64? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else {
            return nil
        }
        // Digits only: too many of them is simply "longer than the cap".
        let seconds = text.count > 9 ? maximumRetryAfterSeconds : min(Int64(text) ?? maximumRetryAfterSeconds, maximumRetryAfterSeconds)
        return seconds * 1000
    }

    /// Up to ±10 % of the wait, fixed per message so that retries of many messages spread out but a test can predict them.
    public static func jitter(_ id: String, _ wait: Int64) -> Int64 {
        let h = id.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int64(h % 2001) * wait / 10_000 - wait / 10
    }
}

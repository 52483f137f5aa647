import AutofunnelCore
import AutofunnelStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The durable scheduler: claims due timers with a lease, fires each in its own transaction after a fencing check,
/// and sleeps until the next due time (or until `TimerBell` rings). Several instances share one database safely.
public struct AutomationScheduler: Service {
    let services: AppServices
    /// This instance's name on the leases it takes.
    let owner: String
    /// How long a claimed timer stays ours before another instance may take it (a crashed owner's timers come back).
    let leaseMillis: Int64
    /// The longest sleep, so timers another instance set are seen without a ring.
    let maximumSleepMillis: Int64
    /// When the pending/due gauges were last counted: counting reads every timer row, so it runs at most every 15 s.
    let lastCount = Throttle()
    static let countEveryMillis: Int64 = 15_000

    public init(services: AppServices, owner: String = UUID().uuidString, leaseMillis: Int64 = 60_000, maximumSleepMillis: Int64 = 30_000) {
        self.services = services
        self.owner = owner
        self.leaseMillis = leaseMillis
        self.maximumSleepMillis = maximumSleepMillis
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await fireDue() > 0 { continue }
                    let next = try await services.store.read { s in try await s.nextTimerDue() }
                    let now = services.clock.now()
                    let wait = next.map { max(0, $0.millis - now.millis) } ?? maximumSleepMillis
                    await services.bell.sleep(millis: min(max(wait, 1), maximumSleepMillis))
                } catch {
                    services.logger.error("scheduler round failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// How many claimed timers fire in one transaction: fewer commits and one read of the definitions, while the
    /// writer is held only briefly.
    static let group = 32

    /// Claims and fires every timer due now, a batch at a time; returns how many fired.
    @discardableResult
    public func fireDue(batch: Int = 200) async throws -> Int {
        let now = services.clock.now()
        let owner = self.owner
        let until = now.adding(millis: leaseMillis)
        let claimed = try await services.store.write { s in try await s.claimDueTimers(now: now, owner: owner, until: until, limit: batch) }
        var fired = 0
        var start = 0
        while start < claimed.count {
            let group = Array(claimed[start..<min(start + Self.group, claimed.count)])
            start += group.count
            do {
                fired += try await fire(group)
            } catch {
                // One timer whose effects fail must not hold back the others: each gets its own transaction, and one
                // that fails alone is counted, retried later and parked at the bound (never retried silently forever).
                for timer in group {
                    do {
                        fired += try await fire([timer])
                    } catch {
                        await failed(timer, error)
                    }
                }
            }
        }
        let countedAt = services.clock.now().millis
        if lastCount.last.withLock({ last in
            guard countedAt - last >= Self.countEveryMillis else { return false }
            last = countedAt
            return true
        }) {
            let (counts, parked, failed) = try await services.store.read { s in
                (try await s.timerCounts(now: services.clock.now()), try await s.parkedTimerCount(), try await s.failedMessageCount())
            }
            services.metrics.timers(pending: counts.pending, due: counts.due)
            services.metrics.deadLetters(timers: parked, messages: failed)
        }
        return fired
    }

    /// How often a timer may fail before it is parked in `timer_dead_letters`.
    public static let maximumAttempts = 8

    /// The wait before a failed timer's next attempt: 30 s, doubling, at most an hour.
    public static func retryDelayMillis(attempts: Int) -> Int64 { min(3_600_000, 30_000 << Int64(min(max(attempts - 1, 0), 20))) }

    /// Records a timer's failed firing (logged with its id and the error); when even that fails (the database is
    /// down), the lease runs out and the timer comes back then.
    func failed(_ timer: DueTimer, _ error: any Error) async {
        let now = services.clock.now()
        let (owner, text) = (self.owner, "\(error)")
        do {
            let outcome = try await services.store.write { s in
                try await s.recordTimerFailure(
                    timer.id, owner: owner, error: text, now: now, maximumAttempts: Self.maximumAttempts,
                    retryAt: { now.adding(millis: Self.retryDelayMillis(attempts: $0)) })
            }
            switch outcome {
            case .retry(let at, let attempts):
                services.logger.warning(
                    "timer failed; retrying",
                    metadata: [
                        "timer": "\(timer.id)", "rule": "\(timer.rule)", "attempt": "\(attempts)", "retryAt": "\(at.millis)", "error": "\(text)",
                    ])
            case .parked(let attempts):
                services.metrics.timerParked()
                services.logger.error(
                    "timer parked after \(attempts) failed attempts", metadata: ["timer": "\(timer.id)", "rule": "\(timer.rule)", "error": "\(text)"])
            case .notHeld:
                break
            }
        } catch {
            services.logger.error("timer failed and its failure could not be recorded", metadata: ["timer": "\(timer.id)", "error": "\(text)"])
        }
    }

    /// Fires claimed timers in one transaction, each only if this instance still holds its lease and, for stage
    /// timers, only if the deal is still in the stage.
    func fire(_ timers: [DueTimer]) async throws -> Int {
        let now = services.clock.now()
        let owner = self.owner
        let runner = services.automation
        let fired = try await services.store.write { s -> [DueTimer] in
            var definitions = AutomationCascade()
            var done: [DueTimer] = []
            for timer in timers where try await s.takeLeasedTimer(timer.id, owner: owner) {
                done.append(timer)
                var cascade = AutomationCascade(sharing: definitions)
                defer { definitions.keepDefinitions(of: cascade) }
                try await runner.fire(timer, session: s, now: now, cascade: &cascade)
            }
            return done
        }
        for timer in fired { services.metrics.timerFired(latenessMillis: max(0, now.millis - timer.dueAt.millis)) }
        return fired.count
    }
}

/// The time of the last gauge count, shared by copies of a scheduler.
final class Throttle: Sendable {
    let last = Mutex<Int64>(Int64.min / 2)
}

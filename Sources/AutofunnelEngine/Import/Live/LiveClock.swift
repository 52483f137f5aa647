import Foundation

/// The time as the rate limiter and the retries read it: seconds on a monotonic clock, and a way to wait. Tests pass
/// a clock whose `sleep` only moves its own time forward.
public struct LiveClock: Sendable {
    /// Seconds since some fixed moment; never goes back.
    public var now: @Sendable () -> Double
    /// Waits `seconds`.
    public var sleep: @Sendable (Double) async throws -> Void

    /// A clock reading `now` and waiting with `sleep`.
    public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The process's monotonic clock and `Task.sleep`.
    public static let live: LiveClock = {
        let start = ContinuousClock.now
        return LiveClock(
            now: {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            },
            sleep: { seconds in
                guard seconds > 0 else { return }
                try await Task.sleep(for: .milliseconds(Int64((min(seconds, 3600) * 1000).rounded(.up))))
            })
    }()
}

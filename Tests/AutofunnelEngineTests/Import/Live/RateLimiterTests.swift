import Testing

@testable import AutofunnelEngine

@Suite("Live import: rate limiter")
struct RateLimiterTests {
    /// The most grants inside any window of `seconds` (half-open).
    static func most(_ times: [Double], within seconds: Double) -> Int {
        var best = 0
        for (i, t) in times.enumerated() { best = max(best, times[i...].prefix { $0 < t + seconds - 1e-9 }.count) }
        return best
    }

    @Test func amoCRMsRateLetsNoSecondHoldMoreThanSevenRequests() async throws {
        let clock = SteppingClock()
        let limiter = RateLimiter(rate: AmoCRMSource.rate, burst: 1, clock: clock.live)
        var times: [Double] = []
        for _ in 0..<50 {
            try await limiter.acquire()
            times.append(clock.now)
        }
        #expect(Self.most(times, within: 1) <= 7)
        // And it does not crawl: 50 requests in about 50 / 6.5 seconds.
        #expect(clock.now < 50 / AmoCRMSource.rate)
        #expect(clock.now > 49 / AmoCRMSource.rate - 0.01)
    }

    @Test func aBurstGoesAtOnceThenTheRateHolds() async throws {
        let clock = SteppingClock()
        let limiter = RateLimiter(rate: 2, burst: 4, clock: clock.live)
        var times: [Double] = []
        for _ in 0..<10 {
            try await limiter.acquire()
            times.append(clock.now)
        }
        #expect(Array(times.prefix(4)) == [0, 0, 0, 0], "the burst waits for nothing")
        #expect(abs(times[4] - 0.5) < 1e-9 && abs(times[9] - 3.0) < 1e-9, "then one every half second: \(times)")
    }

    @Test func idleTimeRefillsTheBucketButNeverBeyondTheBurst() async throws {
        let clock = SteppingClock()
        let limiter = RateLimiter(rate: 2, burst: 2, clock: clock.live)
        for _ in 0..<2 { try await limiter.acquire() }
        try await clock.live.sleep(60)
        let before = clock.now
        for _ in 0..<3 { try await limiter.acquire() }
        #expect(clock.now - before == 0.5, "two saved up, the third waits: not sixty minutes' worth of requests at once")
    }
}

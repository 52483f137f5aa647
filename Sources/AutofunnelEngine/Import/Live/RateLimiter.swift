/// A token bucket: `burst` requests at once, then one every `1 / rate` seconds. Each caller takes a token, going into
/// debt when none is left, and waits until its token would have been there: callers are spaced out in the order they
/// came, and the state is settled before anyone waits, so concurrent callers never share a token.
public actor RateLimiter {
    /// Tokens added per second.
    public let rate: Double
    /// The most tokens the bucket holds.
    public let burst: Double
    let clock: LiveClock
    var tokens: Double
    var last: Double?
    /// Requests let through so far.
    public private(set) var granted = 0

    /// A bucket of `burst` tokens (at least one) filled at `rate` per second, measured with `clock`.
    public init(rate: Double, burst: Double = 1, clock: LiveClock) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.clock = clock
        tokens = max(burst, 1)
    }

    /// Waits until a request may go.
    public func acquire() async throws {
        let now = clock.now()
        if let last { tokens = min(burst, tokens + max(0, now - last) * rate) }
        last = now
        tokens -= 1
        granted += 1
        if tokens < 0 { try await clock.sleep(-tokens / rate) }
    }
}

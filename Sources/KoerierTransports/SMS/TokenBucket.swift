/// A token bucket as a pure value: `rate` tokens per second flow in, at most `burst` are kept.
///
/// `take(now:)` reserves the next token and says how long the caller must wait before using it. The
/// balance may go negative: each caller reserves a later slot, so waiters are served in order and the
/// long-run rate never exceeds `rate`, however many callers arrive at once. Time is passed in as seconds
/// on any monotonic clock, so tests drive it without sleeping.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second.
    public let rate: Double
    /// Tokens the bucket holds at most (the burst allowed after a quiet period).
    public let burst: Double
    /// The balance at `updated`; negative when slots are reserved ahead.
    public private(set) var tokens: Double
    /// The time of the last `take`, in seconds; nil before the first.
    public private(set) var updated: Double?

    /// A full bucket. `rate` is clamped to a small positive value; `burst` defaults to `max(1, rate)`.
    public init(rate: Double, burst: Double? = nil) {
        let rate = rate.isFinite && rate > 0 ? rate : 0.001
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        self.tokens = self.burst
    }

    /// Reserves one token at `now` (seconds) and returns the seconds to wait before using it (0: go now).
    public mutating func take(now: Double) -> Double {
        refill(now: now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    /// The seconds a `take` at `now` would wait, without reserving anything.
    public func wait(now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= 1 ? 0 : (1 - copy.tokens) / rate
    }

    private mutating func refill(now: Double) {
        guard let last = updated else {
            updated = now
            return
        }
        // A clock that went backwards (a monotonic one does not) only delays refilling; it never grants tokens.
        guard now > last else { return }
        tokens = min(burst, tokens + (now - last) * rate)
        updated = now
    }
}

import Testing
@testable import KoerierTransports

// The token bucket is a pure value driven by the caller's clock: these tests run years of traffic in no time.

@Suite("Token bucket")
struct TokenBucketTests {
    @Test("a full bucket lets a burst of `burst` requests go at once, then spaces them at 1/rate")
    func burstThenSpaced() {
        var bucket = TokenBucket(rate: 5)
        #expect(bucket.burst == 5)
        for _ in 0..<5 { #expect(bucket.take(now: 100) == 0) }
        #expect(approximately(bucket.take(now: 100), 0.2))
        #expect(approximately(bucket.take(now: 100), 0.4))
        #expect(approximately(bucket.take(now: 100), 0.6))
    }

    @Test("waiters reserve later slots, so the long-run rate never exceeds `rate`")
    func reservationsQueueInOrder() {
        var bucket = TokenBucket(rate: 2, burst: 1)
        let waits = (0..<6).map { _ in bucket.take(now: 0) }
        #expect(zip(waits, [0, 0.5, 1.0, 1.5, 2.0, 2.5]).allSatisfy { approximately($0, $1) })
        // Half a second later, the queue has moved on by one slot.
        #expect(approximately(bucket.take(now: 0.5), 2.5))
    }

    @Test("tokens refill with time, but never above the burst")
    func refillIsCapped() {
        var bucket = TokenBucket(rate: 10, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(now: 0) == 0) }
        #expect(bucket.wait(now: 0) > 0)
        // An hour of silence refills only up to the burst of 3.
        for _ in 0..<3 { #expect(bucket.take(now: 3600) == 0) }
        #expect(approximately(bucket.take(now: 3600), 0.1))
    }

    @Test("a rate below one per second still allows one request at a time")
    func slowRateHasBurstOfOne() {
        var bucket = TokenBucket(rate: 0.5)
        #expect(bucket.burst == 1)
        #expect(bucket.take(now: 10) == 0)
        #expect(approximately(bucket.take(now: 10), 2))
        #expect(approximately(bucket.wait(now: 13), 1))
    }

    @Test("`wait` predicts without reserving")
    func waitDoesNotReserve() {
        var bucket = TokenBucket(rate: 1, burst: 1)
        #expect(bucket.wait(now: 0) == 0)
        #expect(bucket.wait(now: 0) == 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(approximately(bucket.wait(now: 0.25), 0.75))
    }

    @Test("a clock that goes backwards never grants extra tokens")
    func backwardsClock() {
        var bucket = TokenBucket(rate: 1, burst: 1)
        #expect(bucket.take(now: 50) == 0)
        #expect(approximately(bucket.take(now: 40), 1))
        #expect(approximately(bucket.take(now: 50), 2))
    }

    @Test("over a simulated hour the number of requests sent matches the rate", arguments: [0.5, 3.0, 50.0])
    func longRunRate(rate: Double) {
        var bucket = TokenBucket(rate: rate)
        var now = 0.0
        var sent = 0
        // A caller that always has work: it sleeps exactly as long as the bucket says.
        while now < 3600 {
            now += bucket.take(now: now)
            if now < 3600 { sent += 1 }
        }
        let expected = rate * 3600 + bucket.burst
        #expect(Double(sent) <= expected + 1)
        #expect(Double(sent) >= expected - 1)
    }

    @Test("a rate of zero or less is clamped instead of dividing by zero", arguments: [0.0, -3.0, .nan])
    func invalidRate(rate: Double) {
        var bucket = TokenBucket(rate: rate)
        #expect(bucket.rate > 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0).isFinite)
    }
}

private func approximately(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) < 1e-9
}

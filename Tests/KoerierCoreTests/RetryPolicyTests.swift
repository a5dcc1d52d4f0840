import Foundation
import Testing
import KoerierCore

@Suite("RetryPolicy")
struct RetryPolicyTests {
    private static let start = Date(timeIntervalSince1970: 1_780_000_000)
    private static let noJitter = RetryPolicy(jitter: 0)

    /// The delay of a `.retry`, or nil for `.fail`.
    private static func delay(_ decision: RetryDecision, from now: Date) -> TimeInterval? {
        if case .retry(let at) = decision { return at.timeIntervalSince(now) }
        return nil
    }

    private static func reason(_ decision: RetryDecision) -> String? {
        if case .fail(let reason) = decision { return reason }
        return nil
    }

    @Test("standard defaults: 5 min, 1 h, 48 h, 10 attempts, 20 % jitter")
    func standard() {
        let policy = RetryPolicy.standard
        #expect(policy == RetryPolicy(minimumDelay: 300, maximumDelay: 3600, maximumAge: 172_800, maximumAttempts: 10, jitter: 0.2))
    }

    @Test("without jitter the delay doubles from 5 minutes up to 1 hour")
    func growth() {
        let delays = (1...6).map { attempts in
            Self.delay(Self.noJitter.decide(attempts: attempts, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: 42), from: Self.start)
        }
        #expect(delays == [300, 600, 1200, 2400, 3600, 3600])
    }

    @Test("jitter stays within ±20 % and the bounds over many seeds", arguments: 1...9)
    func jitterBounds(attempts: Int) {
        let base = min(3600, 300 * pow(2, Double(attempts - 1)))
        var seen: [TimeInterval] = []
        for seed in UInt64(0)..<2000 {
            let seed = seed &* 0x9E37_79B9_7F4A_7C15
            guard let delay = Self.delay(RetryPolicy.standard.decide(attempts: attempts, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: seed), from: Self.start) else {
                Issue.record("unexpected failure for seed \(seed)")
                continue
            }
            #expect(delay >= base * 0.8 && delay <= min(base * 1.2, 3600), "seed \(seed): \(delay)")
            #expect(delay >= 240 && delay <= 3600)
            seen.append(delay)
        }
        // The jitter really spreads: both ends of the band are reached.
        #expect((seen.min() ?? base) < base * 0.85)
        if base < 3600 { #expect((seen.max() ?? base) > base * 1.15) }
        #expect((seen.max() ?? 0) > (seen.min() ?? 0))
    }

    @Test("same seed gives the same decision; different seeds differ")
    func deterministic() {
        let policy = RetryPolicy.standard
        for seed: UInt64 in [0, 1, 7, .max] {
            let a = policy.decide(attempts: 3, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: seed)
            let b = policy.decide(attempts: 3, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: seed)
            #expect(a == b)
        }
        let distinct = Set((UInt64(0)..<50).compactMap {
            Self.delay(policy.decide(attempts: 3, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: $0), from: Self.start)
        })
        #expect(distinct.count > 40)
    }

    @Test("gives up at the maximum number of attempts")
    func maximumAttempts() {
        let ninth = RetryPolicy.standard.decide(attempts: 9, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: 1)
        #expect(Self.delay(ninth, from: Self.start) != nil)
        let tenth = RetryPolicy.standard.decide(attempts: 10, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: 1)
        let reason = Self.reason(tenth) ?? ""
        #expect(reason.hasPrefix("gave up after 10 attempts"), "\(reason)")
        let three = RetryPolicy(maximumAttempts: 3).decide(attempts: 3, firstAttempt: Self.start, now: Self.start, retryAfter: nil, jitterSeed: 1)
        #expect((Self.reason(three) ?? "").contains("3 attempts"))
    }

    @Test("gives up when the retry would land past the maximum age")
    func maximumAge() {
        let firstAttempt = Self.start.addingTimeInterval(-(47 * 3600 + 50 * 60))  // 47 h 50 min ago
        let late = Self.noJitter.decide(attempts: 5, firstAttempt: firstAttempt, now: Self.start, retryAfter: nil, jitterSeed: 0)
        let reason = Self.reason(late) ?? ""
        #expect(reason.hasPrefix("gave up"), "\(reason)")
        #expect(reason.contains("48 h"), "\(reason)")
        #expect(reason.contains("48 h 50 min"), "\(reason)")
        // Exactly at the limit is still allowed; one second more is not.
        let edge = Self.start.addingTimeInterval(3600 - 48 * 3600)
        #expect(Self.delay(Self.noJitter.decide(attempts: 5, firstAttempt: edge, now: Self.start, retryAfter: nil, jitterSeed: 0), from: Self.start) == 3600)
        let past = edge.addingTimeInterval(-1)
        #expect(Self.reason(Self.noJitter.decide(attempts: 5, firstAttempt: past, now: Self.start, retryAfter: nil, jitterSeed: 0)) != nil)
    }

    @Test("Retry-After is honoured beyond the maximum delay when within the age limit")
    func retryAfter() {
        let decide = { (hint: TimeInterval?, first: Date) in
            Self.noJitter.decide(attempts: 1, firstAttempt: first, now: Self.start, retryAfter: hint, jitterSeed: 0)
        }
        #expect(Self.delay(decide(7200, Self.start), from: Self.start) == 7200)
        #expect(Self.delay(decide(60, Self.start), from: Self.start) == 300)  // backoff is larger
        #expect(Self.delay(decide(nil, Self.start), from: Self.start) == 300)
        #expect(Self.delay(decide(-10, Self.start), from: Self.start) == 300)
        // With 1 h of age left, a 2 h Retry-After means the reminder is stale.
        let reason = Self.reason(decide(7200, Self.start.addingTimeInterval(-47 * 3600))) ?? ""
        #expect(reason.contains("Retry-After"), "\(reason)")
        #expect(reason.contains("2 h"), "\(reason)")
    }

    @Test("retrying in a loop with an injected clock ends in failure after 10 attempts, well within 48 h", arguments: [UInt64(1), 99, 12_345])
    func simulatedAttempts(seed: UInt64) {
        let policy = RetryPolicy.standard
        var now = Self.start
        var attempts = 1
        var outcome: String?
        while outcome == nil, attempts < 1000 {
            now = now.addingTimeInterval(20)  // each attempt takes 20 s and fails temporarily
            switch policy.decide(attempts: attempts, firstAttempt: Self.start, now: now, retryAfter: nil, jitterSeed: seed &+ UInt64(attempts)) {
            case .retry(let at):
                #expect(at > now)
                now = at
                attempts += 1
            case .fail(let reason):
                outcome = reason
            }
        }
        #expect(attempts == 10)
        #expect(outcome?.hasPrefix("gave up after 10 attempts") == true)
        #expect(now.timeIntervalSince(Self.start) < policy.maximumAge)
        #expect(now.timeIntervalSince(Self.start) > 4 * 3600)  // 5+10+20+40 min, then hourly
    }

    @Test("with unlimited attempts the loop ends on the age limit and never schedules past it")
    func simulatedAge() {
        let policy = RetryPolicy(maximumAttempts: .max)
        var now = Self.start
        var attempts = 1
        var outcome: String?
        while outcome == nil, attempts < 10_000 {
            switch policy.decide(attempts: attempts, firstAttempt: Self.start, now: now, retryAfter: nil, jitterSeed: UInt64(attempts)) {
            case .retry(let at):
                #expect(at.timeIntervalSince(Self.start) <= policy.maximumAge)
                now = at
                attempts += 1
            case .fail(let reason):
                outcome = reason
            }
        }
        #expect(outcome?.contains("48 h limit") == true, "\(outcome ?? "no outcome")")
        #expect(attempts > 45 && attempts < 70)
        #expect(now.timeIntervalSince(Self.start) > 47 * 3600)
    }
}

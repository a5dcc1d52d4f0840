import Foundation

/// How often and how long a temporarily failed delivery is retried; the decision is a pure function.
public struct RetryPolicy: Sendable, Equatable {
    /// Delay before the first retry, in seconds; later retries double it.
    public var minimumDelay: TimeInterval
    /// Upper bound for the computed delay, in seconds (a server's Retry-After may exceed it).
    public var maximumDelay: TimeInterval
    /// Age after the first attempt past which a reminder is stale and left for the engine to re-plan, in seconds.
    public var maximumAge: TimeInterval
    /// Number of attempts after which delivery is given up.
    public var maximumAttempts: Int
    /// Relative jitter: 0.2 spreads each delay over ±20 %; clamped to 0...1.
    public var jitter: Double

    /// Creates a policy; the defaults are those of `standard`.
    public init(
        minimumDelay: TimeInterval = 300,
        maximumDelay: TimeInterval = 3600,
        maximumAge: TimeInterval = 48 * 3600,
        maximumAttempts: Int = 10,
        jitter: Double = 0.2
    ) {
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.maximumAge = maximumAge
        self.maximumAttempts = maximumAttempts
        self.jitter = jitter
    }

    /// 5 min doubling to at most 1 h, ±20 % jitter, 10 attempts, 48 h age.
    ///
    /// 5 minutes rides out a greylisting or a provider blip without hammering it; capping at 1 hour
    /// keeps a long outage from pushing the reminder far past its planned moment. Jitter stops a
    /// batch that failed together from retrying together. Ten attempts span about six hours
    /// (5+10+20+40 min, then hourly); 48 h (not Postfix's 5 days for mail) because a reminder two days
    /// late may cross the debtor's payment, so the engine re-plans it instead.
    public static let standard = RetryPolicy()
}

/// What to do after a temporary delivery failure.
public enum RetryDecision: Sendable, Equatable {
    /// Try again at this instant.
    case retry(at: Date)
    /// Stop; the reason is a sentence for operations.
    case fail(reason: String)
}

public extension RetryPolicy {
    /// The computed delay before the next attempt (backoff plus jitter, no Retry-After), in seconds.
    func delay(attempts: Int, jitterSeed: UInt64) -> TimeInterval {
        let attempts = max(1, attempts)
        let jitter = min(max(self.jitter.isFinite ? self.jitter : 0, 0), 1)
        let exponent = Double(min(attempts - 1, 1_000))
        let backoff = min(maximumDelay, minimumDelay * pow(2, exponent))
        let u = Self.unitInterval(seed: jitterSeed, attempts: attempts) * 2 - 1  // [-1, 1)
        let jittered = backoff * (1 + jitter * u)
        return min(max(jittered, minimumDelay * (1 - jitter)), maximumDelay)
    }

    /// After a temporary failure: attempts = attempts made so far (>=1); firstAttempt = when the first attempt began;
    /// retryAfter = a server hint (e.g. 429 Retry-After) in seconds, honoured in full, even beyond `maximumDelay`,
    /// as long as the retry stays within `maximumAge` (otherwise the delivery fails).
    func decide(attempts: Int, firstAttempt: Date, now: Date, retryAfter: TimeInterval?, jitterSeed: UInt64) -> RetryDecision {
        if attempts >= maximumAttempts {
            return .fail(reason: "gave up after \(attempts) attempts (the limit is \(maximumAttempts)); check the transport and requeue if the reminder is still wanted")
        }
        var delay = self.delay(attempts: attempts, jitterSeed: jitterSeed)
        var hinted = false
        if let hint = retryAfter, hint.isFinite, hint > delay {
            delay = hint
            hinted = true
        }
        let deadline = firstAttempt.addingTimeInterval(maximumAge)
        let next = now.addingTimeInterval(delay)
        if next > deadline {
            let age = Self.describe(next.timeIntervalSince(firstAttempt))
            let limit = Self.describe(maximumAge)
            let cause = hinted ? "the server asked to wait \(Self.describe(delay)) (Retry-After)" : "the next retry would be in \(Self.describe(delay))"
            return .fail(reason: "gave up: \(cause), \(age) after the first attempt, past the \(limit) limit for a reminder; the engine should re-plan it")
        }
        return .retry(at: next)
    }
}

extension RetryPolicy {
    /// A number in [0, 1) from SplitMix64 of the seed and attempt number: pure and uniform.
    static func unitInterval(seed: UInt64, attempts: Int) -> Double {
        var z = seed &+ UInt64(truncatingIfNeeded: attempts) &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / 9_007_199_254_740_992  // 2^53
    }

    /// A duration for people: "48 h", "90 min", "1 h 30 min", "45 s".
    static func describe(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "an unbounded time" }
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let rest = total % 60
        if total < 60 { return "\(total) s" }
        var parts: [String] = []
        if hours > 0 { parts.append("\(hours) h") }
        if minutes > 0 { parts.append("\(minutes) min") }
        if rest > 0 { parts.append("\(rest) s") }
        return parts.joined(separator: " ")
    }
}

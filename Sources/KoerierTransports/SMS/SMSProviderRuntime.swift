import KoerierCore

/// One configured SMS provider while the transport runs: its codec and settings, and the state that
/// decides when a request to it may start — a concurrency gate, a token-bucket rate limit and a pause
/// after a provider problem (bad credentials, no balance).
///
/// The gate is an async semaphore: `acquire()` suspends while `concurrency` requests are in flight and
/// waiters are let in first come, first served. All waiting is in memory; nothing here touches the network.
actor SMSProviderRuntime {
    /// The configured name (`sms.providers[i].name`), used in the journal's `provider` field and in logs.
    nonisolated let name: String
    nonisolated let codec: any SMSProviderCodec
    nonisolated let settings: SMSProviderSettings
    /// Seconds for one HTTP exchange.
    nonisolated let timeout: Int
    /// Requests in flight at most.
    nonisolated let concurrency: Int

    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var bucket: TokenBucket
    /// At most `concurrency` requests at once, first come, first served.
    private let gate: AsyncGate
    /// The sends next in line: at most `sendAhead` wait for the rate limit, ask their permit and wait for a
    /// slot, so a slot never idles while the journal makes the next `sending` durable.
    private let line: AsyncGate?
    /// Sends that may wait in line with their permit (`delivery.send_ahead`); 0: the permit comes after the slot.
    nonisolated let sendAhead: Int
    private var pausedUntil: ContinuousClock.Instant?
    private var pausedAt: ContinuousClock.Instant?
    private var strikes = 0

    /// The header lines of a send request, formatted once: a provider's send headers (credentials, content type) are
    /// the same for every message. Used when a request's headers are these; any other request formats its own.
    nonisolated let sendHeaders: [HTTPHeader]
    nonisolated let sendHeaderLines: [String]

    init(name: String, codec: any SMSProviderCodec, settings: SMSProviderSettings, timeout: Int, concurrency: Int, ratePerSecond: Double,
         sendAhead: Int = 32, sendHeaders: [HTTPHeader] = []) {
        self.sendHeaders = sendHeaders
        self.sendHeaderLines = HTTPSMSTransport.headerLines(sendHeaders)
        self.name = name
        self.codec = codec
        self.settings = settings
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.gate = AsyncGate(width: max(1, concurrency))
        self.line = sendAhead > 0 ? AsyncGate(width: sendAhead) : nil
        self.sendAhead = max(0, sendAhead)
        self.bucket = TokenBucket(rate: ratePerSecond)
        self.origin = clock.now
    }

    // MARK: Concurrency gate

    /// Waits for a free slot and takes it. Every `acquire` is matched by exactly one `release`.
    func acquire() async { await gate.enter() }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() async { await gate.leave() }

    /// Takes a place in line (before the rate limit and the permit); left once a slot is taken or the send gives up.
    func enterLine() async { await line?.enter() }

    /// Gives the place in line back.
    func leaveLine() async { await line?.leave() }

    /// Requests holding a slot.
    var inFlightCount: Int { get async { await gate.holders } }
    /// Requests waiting for a slot.
    var waitingCount: Int { get async { await gate.waiting } }

    // MARK: Rate limit

    /// Reserves the next request slot of the rate limit; the caller sleeps for the returned seconds first.
    func reserveRateSlot() -> Double {
        bucket.take(now: seconds(clock.now))
    }

    // MARK: Pause after provider problems

    /// The instant until which the provider is paused, or nil when it may be used.
    func pause(at now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let pausedUntil, pausedUntil > now else { return nil }
        return pausedUntil
    }

    /// Records a provider problem and pauses the provider: `first` the first time, doubling on each
    /// problem in a row up to `longest`. Returns the length of this pause.
    func recordProblem(first: Duration, longest: Duration) -> Duration {
        if let pausedUntil, pausedUntil > clock.now {
            // Requests already in flight when the pause began report the same problem: one strike, not N.
            return pausedUntil - clock.now
        }
        strikes += 1
        var length = first
        for _ in 1..<min(strikes, 32) {
            length *= 2
            if length >= longest { break }
        }
        length = min(length, longest)
        pausedAt = clock.now
        pausedUntil = clock.now + length
        return length
    }

    /// The provider answered like a working provider: the next problem starts with the shortest pause again.
    /// An answer to a request sent before the current pause began does not lift it.
    func recordHealthy(startedAt: ContinuousClock.Instant? = nil) {
        if let pausedUntil, pausedUntil > clock.now, let startedAt, let pausedAt, startedAt < pausedAt { return }
        strikes = 0
        pausedUntil = nil
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let elapsed = instant - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

// MARK: - From configuration

extension SMSProviderRuntime {
    /// Builds the runtime of `config` (entry `index` of `sms.providers`). The loader checked the settings;
    /// the codec still builds one request from them, so a codec rule the loader does not know fails here,
    /// at start-up (and in `koerier check`), not on the first message. Errors name the key path, never the secret.
    static func make(_ config: Configuration.SMSProviderSettingsConfig, index: Int, sendAhead: Int = 32) throws(HTTPSMSTransportError) -> SMSProviderRuntime {
        let path = "sms.providers[\(index)]"
        let secret = config.secret ?? ""
        func fail(_ problem: String) -> HTTPSMSTransportError {
            let clean = secret.isEmpty ? problem : SMSCodecSupport.redact(problem, [secret])
            return HTTPSMSTransportError("\(path) (\(config.name.isEmpty ? config.kind : config.name)): \(clean)")
        }
        guard !config.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("name is empty") }
        guard config.concurrency >= 1 else { throw fail("concurrency must be at least 1, got \(config.concurrency)") }
        guard config.ratePerSecond.isFinite, config.ratePerSecond > 0 else {
            throw fail("rate_per_second must be more than 0, got \(config.ratePerSecond)")
        }
        guard config.timeout >= 1 else { throw fail("timeout must be at least 1 second, got \(config.timeout)") }

        let settings = SMSProviderSettings(config)
        guard let codec = SMSProviders.codec(kind: config.kind, settings: settings) else {
            throw fail("kind '\(config.kind)' has no codec")
        }
        let probe = OutgoingSMS(actionID: "koerier-settings-check", to: "+31612345678", from: "Koerier", text: "check", unicode: false, parts: 1)
        let probed: HTTPRequestSpec
        do {
            probed = try codec.request(for: probe, settings: settings)
        } catch {
            throw fail(error.message)
        }
        return SMSProviderRuntime(
            name: config.name, codec: codec, settings: settings, timeout: config.timeout,
            concurrency: config.concurrency, ratePerSecond: config.ratePerSecond, sendAhead: sendAhead,
            sendHeaders: probed.headers
        )
    }
}

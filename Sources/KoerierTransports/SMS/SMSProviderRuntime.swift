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
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var firstWaiter = 0
    private var pausedUntil: ContinuousClock.Instant?
    private var pausedAt: ContinuousClock.Instant?
    private var strikes = 0

    init(name: String, codec: any SMSProviderCodec, settings: SMSProviderSettings, timeout: Int, concurrency: Int, ratePerSecond: Double) {
        self.name = name
        self.codec = codec
        self.settings = settings
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.bucket = TokenBucket(rate: ratePerSecond)
        self.origin = clock.now
    }

    // MARK: Concurrency gate

    /// Waits for a free slot and takes it. Every `acquire` is matched by exactly one `release`.
    func acquire() async {
        if inFlight < concurrency && waitingCount == 0 {
            inFlight += 1
            return
        }
        await withCheckedContinuation { continuation in
            waiters.append(continuation)
        }
        // `release` handed its slot over: `inFlight` already counts this request.
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        if firstWaiter < waiters.count {
            let next = waiters[firstWaiter]
            firstWaiter += 1
            if firstWaiter == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                firstWaiter = 0
            }
            next.resume()
        } else {
            inFlight = max(0, inFlight - 1)
        }
    }

    /// Requests holding a slot.
    var inFlightCount: Int { inFlight }
    /// Requests waiting for a slot.
    var waitingCount: Int { waiters.count - firstWaiter }

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
    /// Settings keys of `Configuration.SMSProviderSettingsConfig.extra` that only the generic `http` kind uses.
    static let genericKeys: Set<String> = ["method", "path", "body", "body_encoding", "success_status", "id_path"]
    /// Keys of `extra` that other kinds may use.
    static let sharedKeys: Set<String> = ["route", "status_callback"]

    /// Checks `config` (entry `index` of `sms.providers`) and builds its runtime. Every error names the key
    /// path and the problem, never the secret.
    static func make(_ config: Configuration.SMSProviderSettingsConfig, index: Int) throws(HTTPSMSTransportError) -> SMSProviderRuntime {
        let path = "sms.providers[\(index)]"
        let secret = config.secret ?? ""
        func fail(_ problem: String) -> HTTPSMSTransportError {
            let clean = secret.isEmpty ? problem : SMSCodecSupport.redact(problem, [secret])
            return HTTPSMSTransportError("\(path) (\(config.name.isEmpty ? config.kind : config.name)): \(clean)")
        }

        let kind = config.kind.lowercased()
        guard SMSProviders.kinds.contains(kind) else {
            throw fail("kind '\(config.kind)' is not one of \(SMSProviders.kinds.joined(separator: ", "))")
        }
        guard !config.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("name is empty") }
        guard config.concurrency >= 1 else { throw fail("concurrency must be at least 1, got \(config.concurrency)") }
        guard config.ratePerSecond.isFinite, config.ratePerSecond > 0 else {
            throw fail("rate_per_second must be more than 0, got \(config.ratePerSecond)")
        }
        guard config.timeout >= 1 else { throw fail("timeout must be at least 1 second, got \(config.timeout)") }

        let trimmedURL = config.url.trimmingCharacters(in: .whitespaces)
        guard let baseURL = trimmedURL.isEmpty ? SMSProviders.defaultBaseURL(kind: kind) : trimmedURL else {
            throw fail("url is required for kind \(kind)")
        }
        var settings = SMSProviderSettings(baseURL: baseURL, secret: secret, account: config.account)

        var headers: [HTTPHeader] = []
        for key in config.extra.keys.sorted() {
            let value = config.extra[key] ?? ""
            if key.hasPrefix("header:") {
                let name = String(key.dropFirst("header:".count)).trimmingCharacters(in: .whitespaces)
                guard kind == "http" else { throw fail("headers apply only to kind http, not \(kind)") }
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                    throw fail("headers: '\(name)' is not a valid HTTP header name")
                }
                headers.append(HTTPHeader(name, value))
                continue
            }
            if genericKeys.contains(key) && kind != "http" {
                throw fail("\(key) applies only to kind http, not \(kind)")
            }
            switch key {
            case "method": settings.method = value.uppercased()
            case "path": settings.path = value
            case "body": settings.bodyTemplate = value
            case "body_encoding":
                guard let encoding = SMSBodyEncoding(rawValue: value.lowercased()) else {
                    throw fail("body_encoding '\(value)' must be json or form")
                }
                settings.bodyEncoding = encoding
            case "success_status":
                guard let range = statusRange(value) else {
                    throw fail("success_status '\(value)' must be a status such as 200 or a range such as 200-299")
                }
                settings.successStatus = range
            case "id_path": settings.idJSONPath = value.isEmpty ? nil : value
            case "route": settings.route = value.isEmpty ? nil : value
            case "status_callback": settings.statusCallbackURL = value.isEmpty ? nil : value
            default:
                throw fail("unknown setting '\(key)'")
            }
        }
        settings.headers = headers

        guard let codec = SMSProviders.codec(kind: kind, settings: settings) else {
            throw fail("kind '\(config.kind)' has no codec")
        }
        // The codecs check their settings when they build a request; build one now so a broken
        // configuration fails at start-up, not on the first message.
        let probe = OutgoingSMS(actionID: "koerier-settings-check", to: "+31612345678", from: "Koerier", text: "check", unicode: false, parts: 1)
        do {
            _ = try codec.request(for: probe, settings: settings)
        } catch {
            throw fail(error.message)
        }
        return SMSProviderRuntime(
            name: config.name, codec: codec, settings: settings, timeout: config.timeout,
            concurrency: config.concurrency, ratePerSecond: config.ratePerSecond
        )
    }

    /// `200` or `200-299` as a range of HTTP statuses.
    static func statusRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts[parts.count - 1]),
              (100...599).contains(low), (100...599).contains(high), low <= high else { return nil }
        return low...high
    }
}

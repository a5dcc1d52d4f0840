import Curl
import Foundation
import KoerierCore
import Logging
import ServiceLifecycle
import Synchronization

/// Sends SMS over the HTTP APIs of the configured providers, in their configured order.
///
/// Failover happens only when the provider certainly did not take the message:
///
/// | provider answer                                  | result                                                    |
/// |--------------------------------------------------|-----------------------------------------------------------|
/// | accepted                                         | `.accepted(code: status, detail:, messageID:)`            |
/// | retry later (429, 5xx, throttled)                | next provider; the last one: `.temporary(retryAfter:)`    |
/// | provider problem (credentials, balance)          | provider paused (60 s, doubling to 15 min); next provider |
/// | permanent (invalid number, opted out)            | `.permanent`; no failover: the number is bad everywhere    |
/// | no connection (nothing sent)                     | next provider; the last one: `.temporary`                 |
/// | timeout or lost connection after the request     | ambiguous: lookup by reference where the API has one      |
///
/// An ambiguous exchange is never resent blindly. With a lookup, the transport waits `Tuning.lookupDelays`
/// (the provider may still be working on the request) and asks: found → `.accepted`, not found → as if not
/// sent (next provider), unclear → `.unknown`. Without a lookup → `.unknown`.
///
/// All providers share one `CurlMultiDriver` (HTTP keep-alive per host) and a pool of reusable curl easy
/// handles. Each provider has its own concurrency limit and token-bucket rate limit (burst `max(1, rate)`);
/// waiting for either is in memory. Secrets never appear in logs, details or errors.
public final class HTTPSMSTransport: SMSTransport, Service {
    /// Timing knobs with production defaults; tests shorten them.
    public struct Tuning: Sendable {
        /// The pause after a provider's first problem in a row.
        public var firstPause: Duration = .seconds(60)
        /// The longest pause; each further problem in a row doubles the pause up to this.
        public var longestPause: Duration = .seconds(15 * 60)
        /// After an ambiguous exchange: wait this long, look up; if not found, wait the next, look up again.
        /// Empty: never look up (every ambiguous exchange ends `.unknown`).
        public var lookupDelays: [Duration] = [.seconds(2), .seconds(10)]
        /// Seconds to establish a connection (at most the provider's `timeout`).
        public var connectTimeout: Int = 10
        /// Sends per provider that may have their `sending` journalled while they wait for a slot
        /// (`delivery.send_ahead`); a crash leaves at most this many plus the provider's concurrency in doubt.
        public var sendAhead: Int = 32

        public init() {}
    }

    private let providers: [SMSProviderRuntime]
    private let driver: CurlMultiDriver
    private let logger: Logger
    private let tuning: Tuning
    /// Every configured secret, removed from any text that leaves the transport.
    private let secrets: [String]
    private let handles = Mutex<[CurlEasy]>([])
    private let drain = Mutex(DrainState())

    private struct DrainState {
        var active = 0
        var stopping = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Builds the transport for `providers` (in failover order) and starts the shared curl driver.
    /// Throws `HTTPSMSTransportError` naming `sms.providers[i]` and the problem for an unusable entry.
    public init(providers configs: [Configuration.SMSProviderSettingsConfig], logger: Logger, tuning: Tuning = Tuning()) throws(HTTPSMSTransportError) {
        guard !configs.isEmpty else { throw HTTPSMSTransportError("sms.providers: no SMS provider is configured") }
        var providers: [SMSProviderRuntime] = []
        var names = Set<String>()
        for (index, config) in configs.enumerated() {
            let runtime = try SMSProviderRuntime.make(config, index: index, sendAhead: tuning.sendAhead)
            guard names.insert(runtime.name).inserted else {
                throw HTTPSMSTransportError("sms.providers[\(index)]: the name '\(runtime.name)' is used twice; give each provider its own name")
            }
            providers.append(runtime)
        }
        let connections = min(1024, configs.reduce(0) { $0 + max(1, $1.concurrency) })
        guard let driver = CurlMultiDriver(maxHostConnections: connections, maxTotalConnections: connections, name: "koerier-sms") else {
            throw HTTPSMSTransportError("sms: libcurl could not be initialised")
        }
        self.providers = providers
        self.driver = driver
        self.logger = logger
        self.tuning = tuning
        self.secrets = configs.compactMap { $0.secret }.filter { !$0.isEmpty }
    }

    /// The service: the curl thread starts with the first request; at shutdown the requests under way end first.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// The configured provider names, in failover order.
    public var providerNames: [String] { providers.map(\.name) }

    /// Each provider by name: true while it is paused after a provider problem (for /metrics).
    public func pausedProviders() async -> [String: Bool] {
        var result: [String: Bool] = [:]
        let now = ContinuousClock.now
        for provider in providers { result[provider.name] = await provider.pause(at: now) != nil }
        return result
    }

    // MARK: Sending

    public func send(_ sms: OutgoingSMS, permit: @escaping SendPermit) async -> SMSResult {
        guard enter() else {
            return SMSResult(outcome: .temporary(code: nil, detail: "the SMS transport is shutting down", retryAfter: nil), provider: providers[0].name)
        }
        defer { leave() }

        var lastFailure: SMSResult?
        var paused: [(name: String, until: ContinuousClock.Instant)] = []
        let onWire = OncePermit(permit)
        for provider in providers {
            if let until = await provider.pause(at: .now) {
                paused.append((provider.name, until))
                continue
            }
            switch await attempt(sms, on: provider, permit: onWire) {
            case .final(let result):
                return result
            case .notTaken(let result):
                lastFailure = result
            }
        }
        if let lastFailure { return lastFailure }
        // Every provider is paused: come back when the first pause ends.
        let soonest = paused.min { $0.until < $1.until } ?? (providers[0].name, .now)
        let wait = Self.seconds(soonest.until - .now)
        let list = paused.map(\.name).joined(separator: ", ")
        return SMSResult(
            outcome: .temporary(code: nil, detail: "every SMS provider is paused after a provider problem (\(list))", retryAfter: max(1, wait.rounded(.up))),
            provider: soonest.name
        )
    }

    /// How one provider's attempt ended.
    private enum Step {
        /// This is the answer; do not try another provider.
        case final(SMSResult)
        /// The provider certainly did not take the message; the next provider may try.
        case notTaken(SMSResult)
    }

    private func attempt(_ message: OutgoingSMS, on provider: SMSProviderRuntime, permit: OncePermit) async -> Step {
        let log = AttemptLog(logger: logger, actionID: message.actionID, provider: provider.name)
        let name = provider.name
        let started = ContinuousClock.now

        let request: HTTPRequestSpec
        do {
            request = try provider.codec.request(for: message, settings: provider.settings)
        } catch {
            // The settings were checked at start-up, so this should not happen; treat it as the provider's problem.
            let detail = clean("\(name): \(error.message)")
            log.error("SMS provider settings rejected", metadata: ["delivery.detail": "\(detail)"])
            return .notTaken(SMSResult(outcome: .temporary(code: nil, detail: detail, retryAfter: nil), provider: name))
        }

        switch await exchange(request, with: provider, permit: permit) {
        case .notSent(let why):
            log.warning("SMS provider unreachable; trying the next", metadata: ["delivery.detail": "\(why)"])
            return .notTaken(SMSResult(outcome: .temporary(code: nil, detail: "could not reach \(name): \(why)", retryAfter: nil), provider: name))

        case .ambiguous(let why):
            return await resolveAmbiguous(message, on: provider, why: why, body: request.body, logger: log)

        case .answered(let response):
            let status = response.status
            switch provider.codec.classify(response).redacting(secrets) {
            case .accepted(let messageID, let detail):
                await provider.recordHealthy(startedAt: started)
                log.debug("SMS accepted", metadata: ["delivery.code": "\(status)"])
                return .final(SMSResult(outcome: .accepted(code: status, detail: detail, messageID: messageID), provider: name, requestBody: request.body))
            case .retryLater(let retryAfter, let detail):
                await provider.recordHealthy(startedAt: started)
                log.info("SMS provider asks to retry later", metadata: ["delivery.code": "\(status)", "delivery.detail": "\(detail)"])
                let after = retryAfter.map { TimeInterval($0) }
                let result = SMSResult(outcome: .temporary(code: status, detail: detail, retryAfter: after), provider: name)
                // Only a refusal that says so (429, 503, a throttle status inside a 2xx) proves the message was not
                // taken; a 500, 502 or 504 may come after the provider processed it: retry later here, no failover.
                return status == 429 || status == 503 || (200...299).contains(status) ? .notTaken(result) : .final(result)
            case .providerProblem(let detail) where (200...299).contains(status):
                // A success status with an answer we cannot read: it may well have been taken. Never resend blindly.
                return await resolveAmbiguous(message, on: provider, why: "an unrecognised answer with HTTP \(status): \(detail)", body: request.body, logger: log)
            case .providerProblem(let detail):
                let pause = await provider.recordProblem(first: tuning.firstPause, longest: tuning.longestPause)
                let seconds = Int(Self.seconds(pause).rounded(.up))
                log.error("SMS provider paused after a provider problem", metadata: [
                    "delivery.code": "\(status)", "delivery.detail": "\(detail)", "delivery.pause_seconds": "\(seconds)",
                ])
                let text = SMSCodecSupport.clip("\(detail); \(name) paused for \(seconds) s")
                return .notTaken(SMSResult(outcome: .temporary(code: status, detail: text, retryAfter: nil), provider: name))
            case .permanent(let detail):
                await provider.recordHealthy(startedAt: started)
                log.info("SMS refused permanently", metadata: ["delivery.code": "\(status)", "delivery.detail": "\(detail)"])
                return .final(SMSResult(outcome: .permanent(code: status, detail: detail), provider: name))
            }
        }
    }

    /// The request went out but no answer came back. Never resend blindly: ask the provider if it can tell.
    /// `body`: the request that went out, kept with a confirmed result for the evidence archive.
    private func resolveAmbiguous(_ message: OutgoingSMS, on provider: SMSProviderRuntime, why: String, body: [UInt8], logger log: AttemptLog) async -> Step {
        let name = provider.name
        let noAnswer = "no answer from \(name) after the request was sent (\(why))"
        guard !tuning.lookupDelays.isEmpty, provider.codec.lookupRequest(reference: message.actionID, settings: provider.settings) != nil else {
            log.warning("SMS outcome unknown: no answer after the request was sent", metadata: ["delivery.detail": "\(why)"])
            return .final(SMSResult(outcome: .unknown(detail: "\(noAnswer); it may have been accepted"), provider: name))
        }
        log.warning("SMS outcome unknown: looking it up at the provider", metadata: ["delivery.detail": "\(why)"])
        var outcome = SMSLookupOutcome.unknown(detail: "no lookup was made")
        for delay in tuning.lookupDelays {
            if delay > .zero { try? await Task.sleep(for: delay) }
            outcome = await lookUp(message.actionID, at: provider)
            if case .found = outcome { break }
        }
        switch outcome {
        case .found(let messageID, let status):
            log.info("SMS confirmed by lookup after no answer", metadata: ["delivery.detail": "\(status)"])
            let detail = SMSCodecSupport.clip("confirmed by lookup at \(name) after \(noAnswer): \(status)")
            return .final(SMSResult(outcome: .accepted(code: nil, detail: detail, messageID: messageID), provider: name, requestBody: body))
        case .notFound:
            // Not found now does not prove the provider will never process it, so no immediate failover:
            // the dispatcher retries later, on its own schedule, which gives a slow provider time to show it.
            log.warning("SMS not found by lookup after no answer; retrying later without failover")
            let detail = "\(noAnswer); a lookup found no such message, so it is retried later"
            return .final(SMSResult(outcome: .temporary(code: nil, detail: detail, retryAfter: nil), provider: name, possiblyTaken: true))
        case .unknown(let detail):
            log.warning("SMS outcome still unknown after lookup", metadata: ["delivery.detail": "\(detail)"])
            let text = SMSCodecSupport.clip("\(noAnswer) and the lookup did not settle it (\(detail)); it may have been accepted")
            return .final(SMSResult(outcome: .unknown(detail: text), provider: name))
        }
    }

    // MARK: Lookup

    /// Asks every provider with a lookup API whether it has a message for `actionID`.
    ///
    /// - found at a provider: `.accepted` (code nil, the provider's message id) from that provider;
    /// - every configured provider can look up and answered "not found": `.temporary(code: nil, detail: "not found
    ///   at providers", retryAfter: nil)`, meaning none of them has it, so sending it again is safe; `provider`
    ///   lists the providers asked, comma-separated;
    /// - a provider could not answer clearly (network down at boot, say): `.unknown`: ask again later;
    /// - some provider cannot be asked (it may hold the message after a failover): nil.
    public func unavailableUntil() async -> Date? {
        var soonest: ContinuousClock.Instant?
        let now = ContinuousClock.now
        for provider in providers {
            guard let until = await provider.pause(at: now) else { return nil }
            soonest = min(soonest ?? until, until)
        }
        guard let soonest else { return nil }
        return Date().addingTimeInterval(Self.seconds(soonest - now))
    }

    public func lookup(actionID: String) async -> SMSResult? {
        guard enter() else { return nil }
        defer { leave() }
        var asked: [String] = []
        var unclear = false
        for provider in providers where provider.codec.lookupRequest(reference: actionID, settings: provider.settings) != nil {
            asked.append(provider.name)
            switch await lookUp(actionID, at: provider) {
            case .found(let messageID, let status):
                let detail = SMSCodecSupport.clip("found by lookup at \(provider.name): \(status)")
                return SMSResult(outcome: .accepted(code: nil, detail: detail, messageID: messageID), provider: provider.name)
            case .notFound:
                continue
            case .unknown(let detail):
                AttemptLog(logger: logger, actionID: actionID, provider: provider.name).warning("SMS lookup gave no clear answer", metadata: ["delivery.detail": "\(detail)"])
                unclear = true
            }
        }
        if unclear {
            return SMSResult(outcome: .unknown(detail: "an SMS provider gave no clear answer to a lookup"), provider: asked.joined(separator: ","))
        }
        guard !asked.isEmpty, asked.count == providers.count else { return nil }
        return SMSResult(outcome: .temporary(code: nil, detail: "not found at providers", retryAfter: nil), provider: asked.joined(separator: ","))
    }

    private func lookUp(_ actionID: String, at provider: SMSProviderRuntime) async -> SMSLookupOutcome {
        guard let request = provider.codec.lookupRequest(reference: actionID, settings: provider.settings) else {
            return .unknown(detail: "\(provider.name) has no lookup")
        }
        switch await exchange(request, with: provider) {
        case .notSent(let why), .ambiguous(let why):
            return .unknown(detail: "lookup at \(provider.name) failed: \(why)")
        case .answered(let response):
            return provider.codec.classifyLookup(response, reference: actionID).redacting(secrets)
        }
    }

    // MARK: HTTP

    /// How one HTTP exchange ended.
    private enum Exchange {
        /// An HTTP answer came back.
        case answered(HTTPResponseSpec)
        /// No request bytes reached the provider (connection refused, name not resolved, TLS failed).
        case notSent(String)
        /// The request was (at least partly) sent, but no complete answer came back.
        case ambiguous(String)
    }

    /// Asks the permit (a send journals `sending` here), takes a concurrency slot, waits for the rate limit of
    /// `provider`, then runs `spec` on a pooled handle.
    /// Those next in line (at most `sendAhead`) ask the permit while the requests ahead are still on the wire: their
    /// `sending` events share fsyncs and a slot never idles for the journal; the rate limit is then waited for in the
    /// slot. At most `sendAhead + concurrency` requests are journalled `sending` without an answer at any moment.
    /// With `sendAhead` 0: slot, rate limit, permit, request, as strictly as before (at most `concurrency`).
    private func exchange(_ spec: HTTPRequestSpec, with provider: SMSProviderRuntime, permit: OncePermit? = nil) async -> Exchange {
        if provider.sendAhead > 0 {
            await provider.enterLine()
            if let permit, await !permit.granted() {
                await provider.leaveLine()
                return .notSent("not sent: the attempt could not be journalled")
            }
            await provider.acquire()
            await provider.leaveLine()
            // The rate limit is kept at the slot, where requests really start (reserved earlier, requests that waited
            // for a slot would leave in a burst).
            let wait = await provider.reserveRateSlot()
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
        } else {
            // send_ahead 0: slot, rate limit, then the permit, right before the request leaves.
            await provider.acquire()
            let wait = await provider.reserveRateSlot()
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
            if let permit, await !permit.granted() {
                await provider.release()
                return .notSent("not sent: the attempt could not be journalled")
            }
        }
        let headers = spec.headers == provider.sendHeaders ? provider.sendHeaderLines : Self.headerLines(spec.headers)
        let result = await perform(spec, headers: headers, timeout: provider.timeout)
        await provider.release()
        return result
    }

    /// `Name: value` lines for curl, and an empty `Expect:`, which stops curl from waiting for `100 Continue` before
    /// larger bodies.
    static func headerLines(_ headers: [HTTPHeader]) -> [String] {
        headers.map { "\($0.name): \($0.value)" } + ["Expect:"]
    }

    private func perform(_ spec: HTTPRequestSpec, headers: [String], timeout: Int) async -> Exchange {
        guard let easy = takeHandle() else { return .notSent("no curl handle could be made") }
        var request = CurlRequest(url: spec.url)
        request.method = spec.method
        request.headers = headers
        request.body = spec.body
        request.timeout = max(1, timeout)
        request.connectTimeout = max(1, min(tuning.connectTimeout, request.timeout))
        easy.configure(request)
        let response = await driver.perform(easy)
        giveBack(easy)

        if let error = response.error {
            let text = clean(error.description)
            if response.bytesSent == 0 { return .notSent(text) }
            if error.isTimeout { return .ambiguous("timeout after \(request.timeout) s") }
            return .ambiguous("connection lost: \(text)")
        }
        return .answered(HTTPResponseSpec(status: response.responseCode, headers: Self.headers(response.headerLines), body: response.body))
    }

    /// Header names lower-cased, the last value of a repeated header; only the final response's headers count.
    /// Lines may still end in CRLF (`"\r\n"` is one `Character`, so a per-character trim misses it).
    static func headers(_ lines: [String]) -> [String: String] {
        var headers: [String: String] = [:]
        for raw in lines {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                headers.removeAll()  // a new response (after 100 Continue or a redirect) starts
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { headers[name] = value }
        }
        return headers
    }

    private func takeHandle() -> CurlEasy? {
        if let easy = handles.withLock({ $0.popLast() }) { return easy }
        return CurlEasy()
    }

    private func giveBack(_ easy: CurlEasy) {
        handles.withLock { $0.append(easy) }
    }

    private func clean(_ text: String) -> String {
        SMSCodecSupport.redact(text, secrets)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Shutdown

    /// Lets sends and lookups under way finish, refuses new ones, then stops the curl driver.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = drain.withLock { state -> Bool in
                state.stopping = true
                if state.active == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
        // `CurlMultiDriver.shutdown` blocks until its thread ends; keep that off the cooperative pool.
        let driver = self.driver
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                driver.shutdown()
                continuation.resume()
            }
            thread.name = "koerier-sms-shutdown"
            thread.start()
        }
        handles.withLock { $0.removeAll() }
    }

    private func enter() -> Bool {
        drain.withLock { state in
            if state.stopping { return false }
            state.active += 1
            return true
        }
    }

    private func leave() {
        let waiters = drain.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.active -= 1
            guard state.stopping, state.active == 0 else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A configuration the SMS transport cannot work with. `message` names the key path (`sms.providers[1]`)
/// and the problem, and never contains a secret.
public struct HTTPSMSTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A send's permit, asked once however many providers the send tries: `sending` is journalled before the first
/// request leaves; a failover to the next provider belongs to the same attempt.
final class OncePermit: Sendable {
    private let permit: SendPermit
    private let answer = Mutex<Bool?>(nil)

    init(_ permit: @escaping SendPermit) { self.permit = permit }

    /// The permit's answer, asking it the first time only (a send's exchanges run one after another).
    func granted() async -> Bool {
        if let known = answer.withLock({ $0 }) { return known }
        let result = await permit()
        answer.withLock { $0 = result }
        return result
    }
}

/// The log lines of one send attempt. The action and the provider are added to a line only when it is written: no
/// copy of the logger and its metadata per attempt (logging is off for most lines at the usual levels).
struct AttemptLog {
    let logger: Logger
    let actionID: String
    let provider: String

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.debug, message(), metadata())
    }

    func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.info, message(), metadata())
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.warning, message(), metadata())
    }

    func error(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.error, message(), metadata())
    }

    private func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata) {
        guard logger.logLevel <= level else { return }
        var lineMetadata = metadata()
        lineMetadata["action.id"] = "\(actionID)"
        lineMetadata["delivery.provider"] = "\(provider)"
        logger.log(level: level, message(), metadata: lineMetadata)
    }
}

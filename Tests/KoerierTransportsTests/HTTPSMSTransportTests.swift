import Foundation
import Logging
import Synchronization
import Testing
@testable import KoerierCore
@testable import KoerierTransports

// The HTTP SMS transport against a real HTTP server on loopback: Tests/Support/fake_sms_provider.py, which
// speaks every provider's format and is steered by the last digit of the recipient number
// (0 accepted, 1 429 Retry-After 2, 2 500, 3 401, 4 invalid number, 5 answers after 5 s, 6 no balance).
// Every test starts its own fake (so request logs are its own) and always stops it again.

private let token = "fake-T0KEN-7c1d0e"

@Suite("HTTP SMS transport", .timeLimit(.minutes(1)))
struct HTTPSMSTransportTests {
    // MARK: MessageBird, the whole way

    @Test("a Dutch mobile number goes to MessageBird as E.164 digits and is accepted with the provider's id")
    func messageBirdAcceptsADutchMobileNumber() async throws {
        let number = try PhoneNumber.parse("06-12345678").e164
        #expect(number == "+31612345678")
        try await withFakeProvider { fake in
            let logs = LogRecorder()
            try await withTransport([provider("primary", "messagebird", fake)], logs: logs) { transport in
                let result = await transport.send(sms("act-2024-0001", to: number))
                #expect(result.provider == "primary")
                guard case .accepted(let code, _, let messageID) = result.outcome else {
                    Issue.record("expected accepted, got \(result.outcome)")
                    return
                }
                #expect(code == 201)
                let id = try #require(messageID)
                #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))

                let requests = try fake.requests()
                #expect(requests.count == 1)
                let request = try #require(requests.first)
                #expect(request.method == "POST")
                #expect(request.path == "/messages")
                #expect(request.header("Authorization") == "AccessKey \(token)")
                #expect(request.header("Content-Type") == "application/json")
                let body = try #require(request.json)
                #expect(body["recipients"] as? [String] == ["31612345678"])
                #expect(body["originator"] as? String == "Voorbeeld")
                #expect(body["body"] as? String == "Herinnering: factuur 2024-001 staat nog open.")
                #expect(body["reference"] as? String == "act-2024-0001")
                #expect(body["datacoding"] as? String == "plain")

                // The same message is found again by its action id (the crash-recovery lookup).
                let found = await transport.lookup(actionID: "act-2024-0001")
                #expect(found?.provider == "primary")
                if case .accepted(_, _, let foundID) = found?.outcome {
                    #expect(foundID == id)
                } else {
                    Issue.record("lookup should find the message, got \(String(describing: found))")
                }
                // An action that was never sent is not found anywhere: safe to send.
                let missing = await transport.lookup(actionID: "act-never-sent")
                #expect(missing == SMSResult(outcome: .temporary(code: nil, detail: "not found at providers", retryAfter: nil), provider: "primary"))
            }
            #expect(!logs.contains(token))
        }
    }

    // MARK: Temporary answers

    @Test("429 with Retry-After from the only provider is temporary and keeps the Retry-After",
          arguments: ["messagebird", "cm", "spryng", "twilio", "vonage"])
    func tooManyRequestsHonoursRetryAfter(kind: String) async throws {
        try await withFakeProvider { fake in
            try await withTransport([provider("only", kind, fake)]) { transport in
                let result = await transport.send(sms("act-429-\(kind)", to: "+31612345671"))
                #expect(result.provider == "only")
                guard case .temporary(let code, _, let retryAfter) = result.outcome else {
                    Issue.record("expected temporary, got \(result.outcome)")
                    return
                }
                #expect(code == 429)
                #expect(retryAfter == 2)
            }
        }
    }

    @Test("500 from the only provider is temporary")
    func serverErrorIsTemporary() async throws {
        try await withFakeProvider { fake in
            try await withTransport([provider("only", "messagebird", fake)]) { transport in
                let result = await transport.send(sms("act-500", to: "+31612345672"))
                guard case .temporary(let code, let detail, _) = result.outcome else {
                    Issue.record("expected temporary, got \(result.outcome)")
                    return
                }
                #expect(code == 500)
                #expect(detail.contains("Internal error"))
            }
        }
    }

    @Test("429 from the first provider fails over to the second, which did not see it before")
    func retryLaterFailsOver() async throws {
        try await withFakeProvider { fake in
            // The fake steers every provider by the number: both see ...1 and answer 429, so the result
            // is the last provider's temporary answer, and each provider saw the message once.
            try await withTransport([provider("primary", "messagebird", fake), provider("backup", "spryng", fake)]) { transport in
                let result = await transport.send(sms("act-429-both", to: "+31612345671"))
                #expect(result.provider == "backup")
                #expect(result.outcome == .temporary(code: 429, detail: "HTTP 429: Too Many Attempts.", retryAfter: 2))
                let paths = try fake.requests().map(\.path)
                #expect(paths == ["/messages", "/v1/messages"])
            }
        }
    }

    // MARK: Provider problems

    @Test("a provider that refuses our credentials is paused and the message goes to the next provider")
    func providerProblemPausesAndFailsOver() async throws {
        try await withFakeProvider { fake in
            let logs = LogRecorder()
            let wrongSecret = "wrong-Secret-4242"
            let providers = [provider("primary", "messagebird", fake, secret: wrongSecret), provider("backup", "spryng", fake)]
            try await withTransport(providers, logs: logs) { transport in
                let first = await transport.send(sms("act-auth-1", to: "+31612345670"))
                #expect(first.provider == "backup")
                guard case .accepted(200, _, let id) = first.outcome else {
                    Issue.record("expected accepted by the backup, got \(first.outcome)")
                    return
                }
                #expect(id != nil)

                // While primary is paused, the next message goes straight to the backup.
                let second = await transport.send(sms("act-auth-2", to: "+31612345680"))
                #expect(second.provider == "backup")
                if case .accepted = second.outcome {} else { Issue.record("expected accepted, got \(second.outcome)") }

                let posts = try fake.requests().filter { $0.method == "POST" }.map(\.path)
                #expect(posts == ["/messages", "/v1/messages", "/v1/messages"])

                let pauses = logs.entries.filter { $0.level == .error }
                #expect(pauses.count == 1)
                #expect(pauses.first?.metadata["delivery.provider"] == "primary")
                #expect(pauses.first?.metadata["delivery.pause_seconds"] == "60")
            }
            #expect(!logs.contains(wrongSecret))
            #expect(!logs.contains(token))
        }
    }

    @Test("when every provider is paused the send is temporary until the first pause ends")
    func everyProviderPaused() async throws {
        try await withFakeProvider { fake in
            try await withTransport([provider("primary", "messagebird", fake), provider("backup", "spryng", fake)]) { transport in
                // ...3 makes every provider answer 401: both are paused.
                let first = await transport.send(sms("act-401", to: "+31612345673"))
                #expect(first.provider == "backup")
                guard case .temporary(401, let detail, nil) = first.outcome else {
                    Issue.record("expected temporary 401, got \(first.outcome)")
                    return
                }
                #expect(detail.contains("backup paused for 60 s"))

                let second = await transport.send(sms("act-after-401", to: "+31612345670"))
                guard case .temporary(nil, let text, let retryAfter) = second.outcome else {
                    Issue.record("expected temporary, got \(second.outcome)")
                    return
                }
                #expect(text.contains("every SMS provider is paused"))
                #expect(second.provider == "primary")
                let wait = try #require(retryAfter)
                #expect(wait > 50 && wait <= 60)
                let seen = try fake.requests().count
                #expect(seen == 2)
            }
        }
    }

    // MARK: Permanent answers

    @Test("an invalid number is permanent and is not offered to the next provider")
    func invalidNumberIsPermanent() async throws {
        try await withFakeProvider { fake in
            try await withTransport([provider("primary", "messagebird", fake), provider("backup", "spryng", fake)]) { transport in
                let result = await transport.send(sms("act-invalid", to: "+31612345674"))
                #expect(result.provider == "primary")
                guard case .permanent(let code, let detail) = result.outcome else {
                    Issue.record("expected permanent, got \(result.outcome)")
                    return
                }
                #expect(code == 422)
                #expect(detail.contains("no (correct) recipients found"))
                let seen = try fake.requests().map(\.path)
                #expect(seen == ["/messages"])
            }
        }
    }

    // MARK: Ambiguous: the request went out, no answer came back

    @Test("no answer within the timeout from a provider without lookup is unknown, and is not resent elsewhere")
    func noAnswerWithoutLookupIsUnknown() async throws {
        try await withFakeProvider { fake in
            let providers = [provider("primary", "vonage", fake, timeout: 1), provider("backup", "messagebird", fake)]
            try await withTransport(providers) { transport in
                let result = await transport.send(sms("act-slow-vonage", to: "+31612345675"))
                #expect(result.provider == "primary")
                #expect(result.outcome == .unknown(
                    detail: "no answer from primary after the request was sent (timeout after 1 s); it may have been accepted"))
                let seen = try fake.requests().map(\.path)
                #expect(seen == ["/sms/json"])
            }
        }
    }

    @Test("no answer within the timeout from MessageBird: a later lookup finds the message, so it was accepted")
    func noAnswerThenLookupConfirms() async throws {
        try await withFakeProvider { fake in
            var tuning = HTTPSMSTransport.Tuning()
            // The fake accepts 5 s after the request: the first lookup (about 2 s in) finds nothing yet,
            // the second (about 7 s in) finds the message.
            tuning.lookupDelays = [.seconds(1), .seconds(5)]
            let providers = [provider("primary", "messagebird", fake, timeout: 1), provider("backup", "spryng", fake)]
            try await withTransport(providers, tuning: tuning) { transport in
                let result = await transport.send(sms("act-slow-mb", to: "+31612345675"))
                #expect(result.provider == "primary")
                guard case .accepted(nil, let detail, let messageID) = result.outcome else {
                    Issue.record("expected accepted by lookup, got \(result.outcome)")
                    return
                }
                #expect(detail.hasPrefix("confirmed by lookup at primary after no answer from primary"))
                #expect(messageID != nil)
                let requests = try fake.requests()
                // One POST, then lookups until one finds it: two on an idle machine (the first comes before the fake
                // has accepted), one when the machine is so busy that the first lookup comes late. Not a timing check.
                #expect(requests.first?.method == "POST")
                #expect((2...3).contains(requests.count), "\(requests.map(\.method))")
                #expect(requests.dropFirst().allSatisfy { $0.method == "GET" && $0.path == "/messages?reference=act-slow-mb&limit=20" })
                #expect(!requests.contains { $0.path.hasPrefix("/v1/") })
            }
        }
    }

    @Test("no answer within the timeout from Spryng: a lookup that finds nothing means retry later, with no failover")
    func noAnswerThenLookupFindsNothing() async throws {
        try await withFakeProvider { fake in
            var tuning = HTTPSMSTransport.Tuning()
            tuning.lookupDelays = [.zero]
            try await withTransport([provider("only", "spryng", fake, timeout: 1)], tuning: tuning) { transport in
                let result = await transport.send(sms("act-slow-spryng", to: "+31612345675"))
                #expect(result.provider == "only")
                #expect(result.outcome == .temporary(
                    code: nil,
                    detail: "no answer from only after the request was sent (timeout after 1 s); a lookup found no such message, so it is retried later",
                    retryAfter: nil))
                let requests = try fake.requests()
                #expect(requests.map(\.method) == ["POST", "GET"])
                #expect(requests.last?.path == "/v1/messages?filters%5Breference%5D=act-slow-spryng")
            }
        }
    }

    // MARK: No connection

    @Test("a provider that refuses the connection is skipped for the next one")
    func connectionRefusedFailsOver() async throws {
        try await withFakeProvider { fake in
            var closed = provider("primary", "messagebird", fake)
            closed.url = "http://127.0.0.1:\(try closedPort())"
            try await withTransport([closed, provider("backup", "cm", fake)]) { transport in
                let result = await transport.send(sms("act-refused", to: "+31612345670"))
                #expect(result.provider == "backup")
                guard case .accepted(200, _, _) = result.outcome else {
                    Issue.record("expected accepted by the backup, got \(result.outcome)")
                    return
                }
                let seen = try fake.requests().map(\.path)
                #expect(seen == ["/v1.0/message"])
            }
        }
    }

    @Test("a refused connection at the only provider is temporary")
    func connectionRefusedAlone() async throws {
        let config = Configuration.SMSProviderSettingsConfig(
            name: "only", url: "http://127.0.0.1:\(try closedPort())", secret: token,
            concurrency: 2, ratePerSecond: 10, timeout: 2, options: .spryng(route: nil))
        try await withTransport([config]) { transport in
            let result = await transport.send(sms("act-refused-alone", to: "+31612345670"))
            guard case .temporary(nil, let detail, nil) = result.outcome else {
                Issue.record("expected temporary, got \(result.outcome)")
                return
            }
            #expect(detail.hasPrefix("could not reach only: curl error 7"))
        }
    }

    // MARK: Every provider format

    @Test("each provider format is accepted by the fake", arguments: [
        ("twilio", "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json"),
        ("vonage", "/sms/json"),
        ("cm", "/v1.0/message"),
        ("spryng", "/v1/messages"),
        ("messagebird", "/messages"),
    ])
    func eachProviderAccepts(kind: String, path: String) async throws {
        try await withFakeProvider { fake in
            let logs = LogRecorder()
            try await withTransport([provider(kind, kind, fake)], logs: logs) { transport in
                let result = await transport.send(sms("act-\(kind)-ok", to: "+31612345679", text: "Betaal € 12,50 vóór vrijdag", unicode: true))
                #expect(result.provider == kind)
                guard case .accepted(let code, _, let messageID) = result.outcome else {
                    Issue.record("expected accepted, got \(result.outcome)")
                    return
                }
                #expect(code == 200 || code == 201)
                if kind != "cm" { #expect(messageID != nil) }  // CM's gateway answer carries no message id
                let seen = try fake.requests().map(\.path)
                #expect(seen == [path])
            }
            #expect(!logs.contains(token))
        }
    }

    @Test("the generic http provider takes its path, headers, body and id path from the configuration")
    func genericProvider() async throws {
        try await withFakeProvider { fake in
            var config = provider("gateway", "http", fake)
            config.options = .http(.init(
                path: "/generic/send",
                headers: [.init(name: "X-Api-Key", value: "{{token}}")],
                body: #"{"msisdn":"{{to}}","text":"{{text}}","reference":"{{reference}}"}"#,
                bodyEncoding: .json,
                successStatus: 200...299,
                idPath: "messages.0.id"
            ))
            try await withTransport([config]) { transport in
                let result = await transport.send(sms("act-generic", to: "+31612345670"))
                guard case .accepted(200, _, let messageID) = result.outcome else {
                    Issue.record("expected accepted, got \(result.outcome)")
                    return
                }
                #expect(messageID?.hasPrefix("gen-") == true)
                let request = try #require(try fake.requests().first)
                #expect(request.path == "/generic/send")
                #expect(request.header("X-Api-Key") == token)
                #expect(request.json?["msisdn"] as? String == "+31612345670")
                #expect(request.json?["reference"] as? String == "act-generic")
            }
        }
    }

    // MARK: Configuration

    // Settings that do not apply to a kind, bad encodings and statuses cannot be expressed any more: the
    // loader refuses them (ConfigurationTests). These are what a hand-built configuration can still get wrong.
    @Test("an unusable provider configuration names its key path and the problem, never the secret", arguments: [
        (ConfigCase.twilioWithoutAccount, "sms.providers[1] (second): twilio: the Account SID is missing"),
        (.missingSecret, "sms.providers[1] (second): spryng: the API key is empty"),
        (.genericWithoutPath, "sms.providers[1] (second): http: path (or a full url template) is required"),
        (.unknownPlaceholder, "sms.providers[1] (second): http: unknown placeholder {{secret}}"),
        (.duplicateName, "sms.providers[1]: the name 'first' is used twice"),
        (.zeroTimeout, "sms.providers[1] (second): timeout must be at least 1 second"),
    ])
    func invalidConfiguration(_ problem: ConfigCase, expected: String) {
        let first = Configuration.SMSProviderSettingsConfig(
            name: "first", url: "http://127.0.0.1:9", secret: token,
            concurrency: 1, ratePerSecond: 1, timeout: 5, options: .messagebird)
        var second = first
        second.name = "second"
        problem.apply(to: &second)
        do {
            let transport = try HTTPSMSTransport(providers: [first, second], logger: quietLogger())
            Issue.record("expected an error, got a transport for \(transport.providerNames)")
        } catch {
            let text = String(describing: error)
            #expect(text.hasPrefix(expected), "got: \(text)")
            #expect(!text.contains(token))
        }
    }

    @Test("an empty provider list is a configuration error")
    func noProviders() {
        #expect(throws: HTTPSMSTransportError("sms.providers: no SMS provider is configured")) {
            _ = try HTTPSMSTransport(providers: [], logger: quietLogger())
        }
    }

    // MARK: Response headers

    @Test("only the headers of the final response count, names lower-cased")
    func finalResponseHeaders() {
        let headers = HTTPSMSTransport.headers([
            "HTTP/1.1 100 Continue",
            "X-Old: 1",
            "HTTP/1.1 429 Too Many Requests",
            "Retry-After: 2",
            "Content-Type: application/json",
            "X-Twice: a",
            "X-Twice: b\r\n",
            "\r\n",
        ])
        #expect(headers == ["retry-after": "2", "content-type": "application/json", "x-twice": "b"])
        // As curl hands them over today: with CRLF still on.
        let raw = HTTPSMSTransport.headers(["HTTP/1.1 429 Too Many Requests\r\n", "Retry-After: 2\r\n", "\r\n"])
        #expect(raw == ["retry-after": "2"])
    }
}

// MARK: - The provider runtime: concurrency gate and pauses

extension HTTPSMSTransportTests {
    @Suite("SMS provider runtime")
    struct ProviderRuntime {
        private func runtime(concurrency: Int) -> SMSProviderRuntime {
            SMSProviderRuntime(
                name: "p", codec: MessageBirdProvider(), settings: SMSProviderSettings(baseURL: "https://example.invalid", secret: "x"),
                timeout: 5, concurrency: concurrency, ratePerSecond: 1000)
        }

        @Test("at most `concurrency` holders; the others wait in order and get the slot handed over")
        func gateLimitsAndHandsOver() async {
            let gate = runtime(concurrency: 2)
            await gate.acquire()
            await gate.acquire()
            let order = Arrivals()
            let third = Task {
                await gate.acquire()
                await order.append(3)
            }
            await waitUntil { await gate.waitingCount == 1 }
            let fourth = Task {
                await gate.acquire()
                await order.append(4)
            }
            await waitUntil { await gate.waitingCount == 2 }
            #expect(await gate.inFlightCount == 2)
            #expect(await order.values.isEmpty)

            await gate.release()
            await third.value
            #expect(await order.values == [3])
            #expect(await gate.inFlightCount == 2)
            await gate.release()
            await fourth.value
            #expect(await order.values == [3, 4])

            await gate.release()
            await gate.release()
            #expect(await gate.inFlightCount == 0)
            #expect(await gate.waitingCount == 0)
        }

        @Test("pauses double on problems in a row up to the longest, and a healthy answer resets them")
        func pausesDouble() async throws {
            let provider = runtime(concurrency: 1)
            var lengths: [Duration] = []
            for _ in 0..<7 {
                lengths.append(await provider.recordProblem(first: .milliseconds(2), longest: .milliseconds(32)))
                // Let this pause run out, so the next problem is a new one in a row (not the same one reported twice).
                try await Task.sleep(for: .milliseconds(40))
            }
            #expect(lengths == [2, 4, 8, 16, 32, 32, 32].map { .milliseconds($0) })
            _ = await provider.recordProblem(first: .seconds(60), longest: .seconds(900))
            #expect(await provider.pause(at: .now) != nil)
            await provider.recordHealthy()
            #expect(await provider.pause(at: .now) == nil)
            #expect(await provider.recordProblem(first: .seconds(60), longest: .seconds(900)) == .seconds(60))
        }

        @Test("requests already in flight that report the same problem do not lengthen the pause")
        func concurrentProblemsCountOnce() async {
            let provider = runtime(concurrency: 1)
            let first = await provider.recordProblem(first: .seconds(60), longest: .seconds(900))
            let second = await provider.recordProblem(first: .seconds(60), longest: .seconds(900))
            #expect(first == .seconds(60))
            #expect(second <= .seconds(60), "the second report of the same outage must not double the pause")
            // An answer to a request sent before the pause began does not lift it.
            await provider.recordHealthy(startedAt: .now - .seconds(5))
            #expect(await provider.pause(at: .now) != nil)
        }
    }
}

/// The order in which waiters got through the gate.
private actor Arrivals {
    private(set) var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}

/// Polls `condition` with yields (no wall-clock assertions); gives up after many rounds.
private func waitUntil(_ condition: () async -> Bool) async {
    for _ in 0..<100_000 {
        if await condition() { return }
        await Task.yield()
    }
    Issue.record("condition never became true")
}

// MARK: - Configuration cases

enum ConfigCase: Sendable, CustomTestStringConvertible {
    case twilioWithoutAccount, missingSecret, genericWithoutPath, unknownPlaceholder, duplicateName, zeroTimeout

    func apply(to config: inout Configuration.SMSProviderSettingsConfig) {
        switch self {
        case .twilioWithoutAccount: config.options = .twilio(account: "", statusCallback: nil)
        case .missingSecret: config.options = .spryng(route: nil); config.secret = nil
        case .genericWithoutPath: config.options = .http(.init(path: ""))
        case .unknownPlaceholder: config.options = .http(.init(path: "/send", body: "{{secret}}"))
        case .duplicateName: config.name = "first"
        case .zeroTimeout: config.timeout = 0
        }
    }

    var testDescription: String { "\(self)" }
}

// MARK: - Helpers

private func sms(
    _ actionID: String, to number: String, text: String = "Herinnering: factuur 2024-001 staat nog open.", unicode: Bool = false
) -> OutgoingSMS {
    OutgoingSMS(actionID: actionID, to: number, from: "Voorbeeld", text: text, unicode: unicode, parts: 1)
}

private func provider(
    _ name: String, _ kind: String, _ fake: FakeSMSProvider, secret: String = token, timeout: Int = 5
) -> Configuration.SMSProviderSettingsConfig {
    let options: Configuration.SMSProviderOptions = switch kind {
    case "twilio": .twilio(account: "AC0123456789abcdef", statusCallback: nil)
    case "vonage": .vonage(account: "vonage-key")
    case "cm": .cm
    case "spryng": .spryng(route: nil)
    case "http": .http(.init(path: "/send"))
    default: .messagebird
    }
    return Configuration.SMSProviderSettingsConfig(
        name: name, url: fake.baseURL, secret: secret,
        concurrency: 4, ratePerSecond: 100, timeout: timeout, options: options)
}

private func quietLogger() -> Logger {
    Logger(label: "koerier.test.sms") { _ in SwiftLogNoOpLogHandler() }
}

/// Runs `body` with a transport for `providers` and always shuts it down.
private func withTransport(
    _ providers: [Configuration.SMSProviderSettingsConfig],
    logs: LogRecorder? = nil,
    tuning: HTTPSMSTransport.Tuning = HTTPSMSTransport.Tuning(),
    _ body: (HTTPSMSTransport) async throws -> Void
) async throws {
    let logger = logs.map { recorder in Logger(label: "koerier.test.sms") { _ in RecordingLogHandler(recorder: recorder) } } ?? quietLogger()
    let transport = try HTTPSMSTransport(providers: providers, logger: logger, tuning: tuning)
    do {
        try await body(transport)
    } catch {
        await transport.shutdown()
        throw error
    }
    await transport.shutdown()
}

/// Starts the fake provider, runs `body`, and always stops the fake.
private func withFakeProvider(_ body: (FakeSMSProvider) async throws -> Void) async throws {
    let fake = try await FakeSMSProvider.start()
    do {
        try await body(fake)
    } catch {
        fake.stop()
        throw error
    }
    fake.stop()
}

/// A port on loopback where nothing listens: bound, then closed again (also where a test starts a server of its own).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FakeError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw FakeError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw FakeError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Tests/Support/fake_sms_provider.py in a child process on 127.0.0.1, with its request log.
final class FakeSMSProvider: Sendable {
    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String

        /// A header by name, case-insensitive.
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    private let process: Process
    private let directory: URL
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }
    private var logFile: URL { directory.appendingPathComponent("requests.jsonl") }

    private init(process: Process, directory: URL, port: Int) {
        self.process = process
        self.directory = directory
        self.port = port
    }

    static func start() async throws -> FakeSMSProvider {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/fake_sms_provider.py")
        guard FileManager.default.fileExists(atPath: script.path) else { throw FakeError("missing \(script.path)") }
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw FakeError("no python3 found")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("koerier-sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            script.path, "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.path,
            "--log", directory.appendingPathComponent("requests.jsonl").path, "--token", token,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return FakeSMSProvider(process: process, directory: directory, port: port)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        throw FakeError("the fake SMS provider did not start")
    }

    /// Every request the fake received so far, in order.
    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FakeError("bad log line \(line)")
            }
            return Request(
                method: object["method"] as? String ?? "",
                path: object["path"] as? String ?? "",
                headers: object["headers"] as? [String: String] ?? [:],
                body: object["body"] as? String ?? "")
        }
    }

    func stop() {
        // SIGKILL, not `terminate()`: a child spawned from a Swift concurrency thread inherits that thread's
        // blocked signals, SIGTERM among them, so the fake's SIGTERM handler would never run.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

// MARK: - Log capture

/// Keeps every log entry so tests can check levels, metadata and that no secret was written.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Entry]>([])

    var entries: [Entry] { storage.withLock { $0 } }

    func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }

    /// True when `text` occurs in any message or metadata value.
    func contains(_ text: String) -> Bool {
        entries.contains { entry in
            entry.message.contains(text) || entry.metadata.values.contains { $0.contains(text) }
        }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        recorder.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}

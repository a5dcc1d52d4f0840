import Foundation
import Logging
import Synchronization
import Testing
@testable import KoerierCore

/// An email transport that answers from a script per action id (default: accepted) and records what it got.
final class ScriptedEmail: EmailTransport {
    let name = "scripted"
    private let script: Mutex<[String: [DeliveryOutcome]]>
    let received = Mutex<[EmailMessage]>([])

    init(_ script: [String: [DeliveryOutcome]] = [:]) { self.script = Mutex(script) }

    func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome {
        guard await permit() else { return .withheld }
        received.withLock { $0.append(message) }
        let scripted = script.withLock { table -> DeliveryOutcome? in
            guard var outcomes = table[message.actionID], !outcomes.isEmpty else { return nil }
            let next = outcomes.removeFirst()
            table[message.actionID] = outcomes
            return next
        }
        return scripted ?? .accepted(code: 250, detail: "250 2.0.0 Ok: queued as TEST", messageID: message.messageID)
    }

    func shutdown() async {}
    var count: Int { received.withLock { $0.count } }
}

/// An SMS transport that records sends; `lookup` answers nil (no provider can be asked) unless scripted.
final class ScriptedSMS: SMSTransport {
    let sent = Mutex<[OutgoingSMS]>([])
    let lookupAnswer: SMSResult?

    init(lookupAnswer: SMSResult? = nil) { self.lookupAnswer = lookupAnswer }

    func send(_ sms: OutgoingSMS, permit: @escaping SendPermit) async -> SMSResult {
        guard await permit() else { return SMSResult(outcome: .withheld, provider: "fake") }
        sent.withLock { $0.append(sms) }
        return SMSResult(outcome: .accepted(code: 201, detail: "accepted", messageID: "mb-1"), provider: "fake")
    }

    func lookup(actionID: String) async -> SMSResult? { lookupAnswer }
    func unavailableUntil() async -> Date? { nil }
    func shutdown() async {}
}

/// A settable clock shared by the dispatcher under test.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A spool, journal and configuration in a temporary folder.
struct DispatcherFixture {
    let root: String
    let configuration: Configuration
    var spool: SpoolLayout { SpoolLayout(root: configuration.spool) }

    init(root: String, configuration: Configuration) {
        self.root = root
        self.configuration = configuration
    }

    init(quietHours: Bool = false, extra: String = "") throws {
        root = try TestSupport.makeTemporaryFolder("dispatcher")
        let yaml = """
        spool: spool
        journal: journal
        templates: \(TestSupport.templatesRoot)
        quiet_hours: { enabled: \(quietHours), spread: 15m }
        email: { from: "Debiteurenbeheer <debiteuren@voorbeeld.nl>", transport: outbox, outbox: outbox }
        sms: { sender: Voorbeeld }
        delivery: { concurrency: 4, retry: { minimum_delay: 5m, maximum_delay: 1h, maximum_attempts: 3, jitter: 0 } }
        \(extra)
        """
        try TestSupport.write(yaml, to: "koerier.yaml", under: root)
        configuration = try Configuration.load(file: root + "/koerier.yaml", environment: [:])
        try SpoolLayout(root: configuration.spool).create()
    }

    /// Drops an action the way the engine does: tmp/ then rename into new/.
    func drop(_ json: String, as name: String) throws {
        let temporary = spool.path(.tmp, name)
        try Data(json.utf8).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.moveItem(atPath: temporary, toPath: spool.path(.new, name))
    }

    /// One `run --once` pass with the given transports and clock.
    @discardableResult
    func runOnce(email: any EmailTransport = ScriptedEmail(), sms: (any SMSTransport)? = nil, clock: TestClock) async throws -> Dispatcher {
        let dispatcher = try self.dispatcher(email: email, sms: sms, clock: clock)
        try await dispatcher.run(once: true)
        await dispatcher.journal.close()
        return dispatcher
    }

    /// A dispatcher on this fixture's spool and journal (not started).
    func dispatcher(email: any EmailTransport = ScriptedEmail(), sms: (any SMSTransport)? = nil, clock: TestClock) throws -> Dispatcher {
        let renderer = Renderer(store: try TemplateStore(root: configuration.templates), configuration: configuration)
        let journal = try Journal(directory: configuration.journal, archive: configuration.archive?.directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Dispatcher(runtime: Runtime(configuration: configuration, renderer: renderer, email: email, sms: sms),
                          journal: journal, logger: logger, now: { clock.now })
    }

    func files(_ folder: SpoolLayout.Folder) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool.path(folder))) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    func reason(_ folder: SpoolLayout.Folder, _ name: String) -> String? {
        try? String(contentsOfFile: spool.path(folder, name + ".reason.txt"), encoding: .utf8)
    }

    var events: [JournalEvent] { JournalReader.all(in: configuration.journal) }

    func events(_ id: String) -> [JournalEvent.Kind] { events.filter { $0.action == id }.map(\.event) }

    /// Appends events to the journal as an earlier (crashed) run would have left them.
    func writeHistory(_ events: [JournalEvent]) async throws {
        let journal = try Journal(directory: configuration.journal)
        try await journal.append(events)
        await journal.close()
    }

    func remove() { TestSupport.remove(root) }
}

/// A minimal valid email action.
func emailAction(_ id: String, extra: String = "", stage: String = "herinnering", email: String = "klant@example.nl") -> String {
    """
    {"version":1,"id":"\(id)","channel":"email","stage":"\(stage)","segment":"consument","tone":"zakelijk",
     "recipient":{"name":"Jan de Klant","email":"\(email)"},
     "debtor":{"id":"D-\(id)","name":"Jan de Klant","type":"consumer"},
     "invoices":[{"number":"F-1","date":"2026-10-01","due_date":"2026-10-31","amount":"1234.56","open":"1234.56"}]\(extra)}
    """
}

/// Monday 23 November 2026, 10:00 in Amsterdam: inside contact hours.
let mondayMorning = RFC3339.parse("2026-11-23T10:00:00+01:00")!

@Suite("Dispatcher", .serialized)
struct DispatcherTests {
    @Test("an accepted email ends in sent/ with received, sending and sent journalled, in that order")
    func accepted() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("a1"), as: "a1.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.sent) == ["a1.json"])
        #expect(fixture.events("a1") == [.received, .sending, .sent])
        let sent = try #require(fixture.events.last)
        #expect(sent.code == 250)
        #expect(sent.detail == "250 2.0.0 Ok: queued as TEST")
        #expect(sent.messageID == email.received.withLock { $0.first?.messageID })
        #expect(sent.template == "email/herinnering/consument.zakelijk")
        #expect(sent.templateSHA256?.count == 64)
        #expect(sent.file == "a1.json")
    }

    @Test("a permanent refusal ends in failed/ with a reason file naming the reply")
    func permanent() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("p1"), as: "p1.json")
        let email = ScriptedEmail(["p1": [.permanent(code: 550, detail: "550 5.1.1 <klant@example.nl>: Recipient address rejected")]])
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.failed) == ["p1.json"])
        #expect(fixture.reason(.failed, "p1.json")?.contains("550 5.1.1") == true)
        #expect(fixture.events("p1") == [.received, .sending, .failed])
    }

    @Test("a temporary failure is deferred with a next attempt and retried after a restart with the same Message-ID")
    func retryAcrossRestart() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("t1"), as: "t1.json")
        let clock = TestClock(mondayMorning)
        let email = ScriptedEmail(["t1": [.temporary(code: 451, detail: "451 4.3.0 try again later", retryAfter: nil)]])
        try await fixture.runOnce(email: email, clock: clock)
        #expect(fixture.files(.deferred) == ["t1.json"])
        let deferred = try #require(fixture.events.last)
        #expect(deferred.event == .deferred && deferred.reason == "retry" && deferred.code == 451)
        #expect(deferred.nextAttempt == mondayMorning + 300)

        // Not yet due: a second pass leaves it waiting and sends nothing.
        clock.advance(60)
        try await fixture.runOnce(email: email, clock: clock)
        #expect(email.count == 1)
        #expect(fixture.files(.deferred) == ["t1.json"])

        clock.advance(300)
        try await fixture.runOnce(email: email, clock: clock)
        #expect(fixture.files(.sent) == ["t1.json"])
        let sendings = fixture.events.filter { $0.event == .sending }
        #expect(sendings.map(\.attempt) == [1, 2])
        let ids = email.received.withLock { $0.map(\.messageID) }
        #expect(ids.count == 2 && ids[0] == ids[1])
    }

    @Test("retries stop after maximum_attempts and the action fails with the last answer in its reason")
    func retriesExhausted() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("r1"), as: "r1.json")
        let clock = TestClock(mondayMorning)
        let refusal = DeliveryOutcome.temporary(code: 421, detail: "421 4.7.0 too busy", retryAfter: nil)
        let email = ScriptedEmail(["r1": [refusal, refusal, refusal, refusal]])
        for _ in 0..<4 {
            try await fixture.runOnce(email: email, clock: clock)
            clock.advance(3 * 3600)
        }
        #expect(email.count == 3)
        #expect(fixture.files(.failed) == ["r1.json"])
        #expect(fixture.reason(.failed, "r1.json")?.contains("gave up after 3 attempts") == true)
        #expect(fixture.reason(.failed, "r1.json")?.contains("421 4.7.0 too busy") == true)
        #expect(fixture.events("r1").filter { $0.isTerminal } == [.failed])
    }

    @Test("after a crash between sending and its answer, email is resent with the same Message-ID and marked a possible repeat")
    func ambiguousEmailRecovery() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try Data(emailAction("c1").utf8).write(to: URL(fileURLWithPath: fixture.spool.path(.active, "c1.json")))
        var received = JournalEvent(ts: mondayMorning, action: "c1", event: .received)
        received.file = "c1.json"
        var sending = JournalEvent(ts: mondayMorning, action: "c1", event: .sending)
        sending.file = "c1.json"
        sending.attempt = 1
        try await fixture.writeHistory([received, sending])

        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 5))
        #expect(email.count == 1)
        #expect(fixture.files(.sent) == ["c1.json"])
        let repeats = fixture.events.filter { $0.event == .sending && $0.possibleRepeat == true }
        #expect(repeats.count == 1)
        #expect(repeats.first?.attempt == 2)
        #expect(fixture.events("c1") == [.received, .sending, .sending, .sent])
    }

    @Test("a file whose terminal event is journalled but which a crash left in active/ is moved without sending or journalling again")
    func terminalWithoutMove() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try Data(emailAction("m1").utf8).write(to: URL(fileURLWithPath: fixture.spool.path(.active, "m1.json")))
        var failed = JournalEvent(ts: mondayMorning, action: "m1", event: .failed)
        failed.file = "m1.json"
        failed.reason = "refused by smtp: 550 no such user"
        try await fixture.writeHistory([failed])

        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 0)
        #expect(fixture.files(.failed) == ["m1.json"])
        #expect(fixture.reason(.failed, "m1.json") == "refused by smtp: 550 no such user\n")
        #expect(fixture.events.count == 1)
    }

    @Test("an SMS left ambiguous by a crash is not resent when no provider can be asked: it fails as outcome unknown")
    func ambiguousSMSWithoutLookup() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        let sms = """
        {"version":1,"id":"s1","channel":"sms","stage":"herinnering","segment":"consument","tone":"zakelijk",
         "recipient":{"name":"Jan","phone":"06-12345678"},"debtor":{"id":"D1","name":"Jan","type":"consumer"},
         "invoices":[{"number":"F-1","date":"2026-10-01","due_date":"2026-10-31","amount":"10.00","open":"10.00"}]}
        """
        try Data(sms.utf8).write(to: URL(fileURLWithPath: fixture.spool.path(.active, "s1.json")))
        var sending = JournalEvent(ts: mondayMorning, action: "s1", event: .sending)
        sending.file = "s1.json"
        sending.attempt = 1
        try await fixture.writeHistory([sending])

        let transport = ScriptedSMS()
        // A minute after the crash: past the window in which a provider may not list the message yet.
        try await fixture.runOnce(sms: transport, clock: TestClock(mondayMorning + 60))
        #expect(transport.sent.withLock { $0.isEmpty })
        #expect(fixture.files(.failed) == ["s1.json"])
        #expect(fixture.reason(.failed, "s1.json")?.contains("outcome unknown") == true)
    }

    @Test("an SMS left ambiguous is recorded as sent when the provider's lookup finds it")
    func ambiguousSMSFoundByLookup() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        let sms = """
        {"version":1,"id":"s2","channel":"sms","stage":"herinnering","segment":"consument","tone":"zakelijk",
         "recipient":{"name":"Jan","phone":"0612345678"},"debtor":{"id":"D1","name":"Jan","type":"consumer"},
         "invoices":[{"number":"F-1","date":"2026-10-01","due_date":"2026-10-31","amount":"10.00","open":"10.00"}]}
        """
        try Data(sms.utf8).write(to: URL(fileURLWithPath: fixture.spool.path(.active, "s2.json")))
        var sending = JournalEvent(ts: mondayMorning, action: "s2", event: .sending)
        sending.file = "s2.json"
        try await fixture.writeHistory([sending])
        let transport = ScriptedSMS(lookupAnswer: SMSResult(outcome: .accepted(code: 200, detail: "found by reference", messageID: "mb-77"), provider: "primary"))
        try await fixture.runOnce(sms: transport, clock: TestClock(mondayMorning + 60))
        #expect(transport.sent.withLock { $0.isEmpty })
        #expect(fixture.files(.sent) == ["s2.json"])
        #expect(fixture.events.last?.messageID == "mb-77")
    }

    @Test("on a Sunday the action waits for Monday's opening, spread over the first quarter hour")
    func quietHoursSunday() async throws {
        let fixture = try DispatcherFixture(quietHours: true)
        defer { fixture.remove() }
        try fixture.drop(emailAction("q1"), as: "q1.json")
        let sunday = RFC3339.parse("2026-11-22T10:00:00+01:00")!
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(sunday))
        #expect(email.count == 0)
        #expect(fixture.files(.deferred) == ["q1.json"])
        let waiting = try #require(fixture.events.last)
        #expect(waiting.reason == "quiet_hours")
        let opening = RFC3339.parse("2026-11-23T07:00:00+01:00")!
        let next = try #require(waiting.nextAttempt)
        #expect(next >= opening && next < opening + 900)
    }

    @Test("a cancel marker that arrives before its action cancels it when it comes, and is then removed")
    func cancelFirst() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        _ = FileManager.default.createFile(atPath: fixture.spool.path(.cancel, "k1"), contents: nil)
        try fixture.drop(emailAction("k1"), as: "k1.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 0)
        #expect(fixture.files(.cancelled) == ["k1.json"])
        #expect(fixture.events("k1") == [.received, .cancelled])
        #expect(!FileManager.default.fileExists(atPath: fixture.spool.path(.cancel, "k1")))
    }

    @Test("a deferred action is cancelled by a marker that arrives while it waits")
    func cancelWhileDeferred() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("k2", extra: ",\"not_before\":\"2026-11-30T09:00:00+01:00\""), as: "k2.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.deferred) == ["k2.json"])
        #expect(fixture.events.last?.reason == "not_before")
        _ = FileManager.default.createFile(atPath: fixture.spool.path(.cancel, "k2"), contents: nil)
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 60))
        #expect(email.count == 0)
        #expect(fixture.files(.cancelled) == ["k2.json"])
        #expect(fixture.events("k2").filter { $0.isTerminal } == [.cancelled])
    }

    @Test("an action whose expires_at has passed ends as expired in cancelled/ and is never sent")
    func expired() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("e1", extra: ",\"expires_at\":\"2026-11-23T09:00:00+01:00\""), as: "e1.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 0)
        #expect(fixture.files(.cancelled) == ["e1.json"])
        #expect(fixture.events("e1") == [.received, .expired])
        #expect(fixture.reason(.cancelled, "e1.json")?.contains("expired") == true)
    }

    @Test("two files with the same action id: one is sent, the other rejected as a duplicate")
    func duplicateID() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("d1"), as: "d1-first.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        try fixture.drop(emailAction("d1"), as: "d1-again.json")
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 60))
        #expect(email.count == 1)
        #expect(fixture.files(.sent) == ["d1-first.json"])
        #expect(fixture.files(.rejected) == ["d1-again.json"])
        #expect(fixture.reason(.rejected, "d1-again.json")?.contains("duplicate action id") == true)
    }

    @Test("dotfiles and files not ending in .json are never touched")
    func ignoredNames() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        for name in [".partial.json", "notes.txt", "README"] {
            _ = FileManager.default.createFile(atPath: fixture.spool.path(.new, name), contents: Data("x".utf8))
        }
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.spool.path(.new)).sorted()
        #expect(left == [".partial.json", "README", "notes.txt"])
        #expect(fixture.events.isEmpty)
    }

    @Test("while the journal cannot be written nothing is sent; when it can again, sending resumes")
    func journalOutage() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("j1"), as: "j1.json")
        let day = RFC3339.utcDay(mondayMorning)
        let blocker = "\(fixture.configuration.journal)/\(day).jsonl"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        let email = ScriptedEmail()
        let dispatcher = try fixture.dispatcher(email: email, clock: TestClock(mondayMorning))
        let run = Task { try await dispatcher.run(once: true) }
        // Wait until the dispatcher has met the broken journal (an event, not a fixed time).
        for _ in 0..<2000 where !(await dispatcher.metrics().journalBroken) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await dispatcher.metrics().journalBroken)
        // Broken the whole time so far: nothing may have gone out, and the file is still claimed.
        #expect(email.count == 0)
        #expect(fixture.files(.active) == ["j1.json"])
        try FileManager.default.removeItem(atPath: blocker)
        try await run.value
        #expect(email.count == 1)
        #expect(fixture.files(.sent) == ["j1.json"])
    }

    @Test("with debtor pacing, a second message to the same debtor waits for the interval (reason rate_limit)")
    func debtorPacing() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        // Same debtor id for both actions: D-same.
        func action(_ id: String) -> String {
            emailAction(id).replacingOccurrences(of: "\"D-\(id)\"", with: "\"D-same\"")
        }
        let yaml = try String(contentsOfFile: fixture.root + "/koerier.yaml", encoding: .utf8)
            .replacingOccurrences(of: "delivery: { concurrency: 4,", with: "delivery: { concurrency: 1, debtor_pacing: 24h,")
        try yaml.write(toFile: fixture.root + "/koerier.yaml", atomically: true, encoding: .utf8)
        let pacing = try Configuration.load(file: fixture.root + "/koerier.yaml", environment: [:])
        #expect(pacing.delivery.debtorPacing == 86_400)
        let withPacing = DispatcherFixture(root: fixture.root, configuration: pacing)
        try withPacing.drop(action("p-1"), as: "p-1.json")
        let email = ScriptedEmail()
        try await withPacing.runOnce(email: email, clock: TestClock(mondayMorning))
        try withPacing.drop(action("p-2"), as: "p-2.json")
        try await withPacing.runOnce(email: email, clock: TestClock(mondayMorning + 3600))
        #expect(email.count == 1)
        #expect(withPacing.files(.sent) == ["p-1.json"])
        #expect(withPacing.files(.deferred) == ["p-2.json"])
        let wait = try #require(withPacing.events.last)
        #expect(wait.reason == "rate_limit")
        #expect(wait.nextAttempt == (withPacing.events.first { $0.event == .sent }?.ts ?? .distantPast) + 86_400)
    }

    @Test("a PDF attachment named by the action is read from the attachments root and sent as base64")
    func attachment() async throws {
        let fixture = try DispatcherFixture(extra: "attachments: files\n")
        defer { fixture.remove() }
        let pdf = Array("%PDF-1.4\n% Koerier test\n".utf8) + [UInt8](repeating: 0xAB, count: 300)
        try FileManager.default.createDirectory(atPath: fixture.root + "/files/2026", withIntermediateDirectories: true)
        try Data(pdf).write(to: URL(fileURLWithPath: fixture.root + "/files/2026/F-1.pdf"))
        try fixture.drop(emailAction("att", extra: ",\"attachments\":[{\"path\":\"2026/F-1.pdf\",\"filename\":\"Factuur F-1.pdf\"}]"), as: "att.json")
        try fixture.drop(emailAction("att-missing", extra: ",\"attachments\":[{\"path\":\"2026/none.pdf\"}]"), as: "att-missing.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.sent) == ["att.json"])
        #expect(fixture.files(.rejected) == ["att-missing.json"])
        #expect(fixture.reason(.rejected, "att-missing.json")?.contains("attachments[0].path") == true)
        let message = String(decoding: try #require(email.received.withLock { $0.first }).bytes, as: UTF8.self)
        #expect(message.contains("Content-Type: multipart/mixed"))
        #expect(message.contains("Content-Type: application/pdf; name=\"Factuur F-1.pdf\""))
        #expect(message.contains(Data(pdf).base64EncodedString().prefix(76)))
    }

    @Test("invalid files are rejected with file, field and reason, and the valid ones still go out")
    func badInputDoesNotStopTheRest() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop("{\"version\":1,\"id\":", as: "truncated.json")
        try fixture.drop(emailAction("ok1"), as: "ok1.json")
        try fixture.drop(emailAction("crlf", email: "a@b.nl\\r\\nBcc: x@y.nl"), as: "crlf.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 1)
        #expect(fixture.files(.sent) == ["ok1.json"])
        #expect(fixture.files(.rejected) == ["crlf.json", "truncated.json"])
        #expect(fixture.reason(.rejected, "crlf.json")?.contains("recipient.email") == true)
        #expect(fixture.reason(.rejected, "truncated.json")?.contains("not valid JSON") == true)
        // The unreadable file is journalled under its file name.
        #expect(fixture.events("truncated.json") == [.rejected])
    }
}

@Suite("Spool claims")
struct SpoolClaimTests {
    @Test("a claim never replaces a file of the same name still in active/ (one renameat2 with RENAME_NOREPLACE)")
    func claimNeverOverwrites() throws {
        let root = try TestSupport.makeTemporaryFolder("claim")
        defer { TestSupport.remove(root) }
        let layout = SpoolLayout(root: root)
        try layout.create()
        let spool = Spool(layout: layout)
        try Data("first".utf8).write(to: URL(fileURLWithPath: layout.path(.new, "a.json")))
        #expect(try spool.claim("a.json") == .claimed)
        #expect(try spool.claim("a.json") == .gone)
        // The engine drops another file with the same name while the first is in flight.
        try Data("second".utf8).write(to: URL(fileURLWithPath: layout.path(.new, "a.json")))
        #expect(try spool.claim("a.json") == .busy)
        #expect(try String(contentsOfFile: layout.path(.active, "a.json"), encoding: .utf8) == "first")
        #expect(FileManager.default.fileExists(atPath: layout.path(.new, "a.json")))
        // Once the first is done, the second can be claimed.
        try spool.finish("a.json", from: .active, to: .sent, reason: nil)
        #expect(try spool.claim("a.json") == .claimed)
        #expect(try String(contentsOfFile: layout.path(.active, "a.json"), encoding: .utf8) == "second")
        // A second finish under the same name keeps the first in sent/ and takes the next free name.
        try spool.finish("a.json", from: .active, to: .sent, reason: nil)
        #expect(try String(contentsOfFile: layout.path(.sent, "a.json"), encoding: .utf8) == "first")
        #expect(try String(contentsOfFile: layout.path(.sent, "a.2.json"), encoding: .utf8) == "second")
        #expect(try spool.claim("nothing.json") == .gone)
    }

    @Test("a file waiting in deferred/ is not replaced by a namesake dropped in new/: the dispatcher holds its name")
    func claimWaitsForDeferredNamesake() async throws {
        let fixture = try DispatcherFixture(quietHours: true)
        defer { fixture.remove() }
        try fixture.drop(emailAction("d1"), as: "b.json")
        let sunday = RFC3339.parse("2026-11-22T10:00:00+01:00")!
        let clock = TestClock(sunday)
        let email = ScriptedEmail()
        let dispatcher = try fixture.dispatcher(email: email, clock: clock)
        let run = Task { try await dispatcher.run(once: false) }
        for _ in 0..<500 where fixture.files(.deferred) != ["b.json"] { try await Task.sleep(for: .milliseconds(10)) }
        #expect(fixture.files(.deferred) == ["b.json"])
        // The engine drops a newcomer with the same name while the first waits for Monday.
        try fixture.drop(emailAction("d2"), as: "b.json")
        dispatcher.nudge()
        try await Task.sleep(for: .milliseconds(300))
        dispatcher.stop()
        try await run.value
        await dispatcher.journal.close()
        #expect(email.count == 0)
        #expect(fixture.files(.new) == ["b.json"])
        #expect(fixture.files(.active).isEmpty)
        let waiting = try String(contentsOfFile: fixture.spool.path(.deferred, "b.json"), encoding: .utf8)
        #expect(waiting.contains("\"d1\""))
        #expect(fixture.events("d2").isEmpty)
    }
}

@Suite("Recovery with reused file names")
struct RecoveryNameReuseTests {
    @Test("a file that reuses the name of a finished action is sent, not moved by the old action's terminal event")
    func reusedNameAfterCrash() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        // Monday: action A ended as sent under file F.json.
        var sent = JournalEvent(ts: mondayMorning, action: "A-1", event: .sent)
        sent.file = "F.json"
        try await fixture.writeHistory([sent])
        // Tuesday: the engine reuses F.json for action B; a crash hit right after the claim, before any event.
        try Data(emailAction("B-2").utf8).write(to: URL(fileURLWithPath: fixture.spool.path(.active, "F.json")))
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 86_400))
        #expect(email.count == 1)
        #expect(email.received.withLock { $0.first?.actionID } == "B-2")
        #expect(fixture.events("B-2") == [.received, .sending, .sent])
    }
}

import Foundation
import Synchronization
import Testing
@testable import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

/// An email transport that looks at the journal before and after asking its permit, and can give up before the wire.
final class WireCheckingEmail: EmailTransport {
    let name = "wire"
    let journal: String
    let givesUpBeforeWire: Bool
    let seen = Mutex<[(before: [JournalEvent.Kind], after: [JournalEvent.Kind])]>([])

    init(journal: String, givesUpBeforeWire: Bool = false) {
        self.journal = journal
        self.givesUpBeforeWire = givesUpBeforeWire
    }

    func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome {
        if givesUpBeforeWire { return .temporary(code: nil, detail: "cannot connect to the relay", retryAfter: nil) }
        let before = JournalReader.all(in: journal).filter { $0.action == message.actionID }.map(\.event)
        guard await permit() else { return .withheld }
        let after = JournalReader.all(in: journal).filter { $0.action == message.actionID }.map(\.event)
        seen.withLock { $0.append((before, after)) }
        return .accepted(code: 250, detail: "250 ok", messageID: message.messageID)
    }

    func shutdown() async {}
}

/// An email transport that runs a hook while "sending" and answers with a fixed outcome.
final class HookEmail: EmailTransport {
    let name = "hook"
    let outcome: DeliveryOutcome
    let hook: @Sendable () -> Void

    init(outcome: DeliveryOutcome, hook: @escaping @Sendable () -> Void) {
        self.outcome = outcome
        self.hook = hook
    }

    func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome {
        guard await permit() else { return .withheld }
        hook()
        return outcome
    }

    func shutdown() async {}
}

@Suite("Spool hardening", .serialized, .timeLimit(.minutes(2)))
struct SpoolHardeningTests {
    @Test("sending is journalled by the transport's permit, right before the bytes go out, together with received")
    func sendingAtTheWire() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("w1"), as: "w1.json")
        let email = WireCheckingEmail(journal: fixture.configuration.journal)
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        let seen = email.seen.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.before == [])
        #expect(seen.first?.after == [.received, .sending])
        #expect(fixture.events("w1") == [.received, .sending, .sent])
    }

    @Test("a transport that gives up before the wire leaves no sending event and spends no attempt")
    func noWireNoSending() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("w2"), as: "w2.json")
        let email = WireCheckingEmail(journal: fixture.configuration.journal, givesUpBeforeWire: true)
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.events("w2") == [.received, .deferred])
        #expect(fixture.events.last?.attempt == nil)
        #expect(fixture.events.last?.possibleRepeat == nil)
        #expect(fixture.files(.deferred) == ["w2.json"])
    }

    @Test("a named pipe called x.json in new/ is rejected as not a regular file and does not stall the run")
    func namedPipe() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        #expect(mkfifo(fixture.spool.path(.new, "x.json"), 0o644) == 0)
        #expect(mkfifo(fixture.spool.path(.new, "y.json"), 0o644) == 0)
        try fixture.drop(emailAction("ok1"), as: "ok1.json")
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        #expect(fixture.files(.rejected) == ["x.json", "y.json"])
        #expect(fixture.reason(.rejected, "x.json")?.contains("not a regular file") == true)
        #expect(fixture.files(.sent) == ["ok1.json"])
    }

    @Test("file names of 250 to 255 bytes reach their terminal folder with a reason file", arguments: [250, 251, 255])
    func longNames(length: Int) async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        let name = String(repeating: "n", count: length - 5) + ".json"
        try fixture.drop("{\"version\": 1, \"id\": 7}", as: name)
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        #expect(fixture.files(.active).isEmpty)
        let rejected = fixture.files(.rejected)
        #expect(rejected.count == 1)
        let kept = try #require(rejected.first)
        #expect(kept.utf8.count + ".reason.txt".utf8.count <= 255)
        #expect(fixture.reason(.rejected, kept)?.isEmpty == false)
        #expect(fixture.events.last?.file == name, "the journal keeps the original name")
    }

    @Test("a terminal folder that is briefly not writable: the move is retried in the same run, one event")
    func terminalFolderBriefly() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("tf1"), as: "tf1.json")
        let failed = fixture.spool.path(.failed)
        // Root ignores permission bits, so the folder is made unusable by putting a plain file in its place,
        // while the relay is answering (after start-up created the folders).
        let email = HookEmail(outcome: .permanent(code: 550, detail: "550 5.1.1 no such user")) {
            try? FileManager.default.removeItem(atPath: failed)
            _ = FileManager.default.createFile(atPath: failed, contents: Data())
        }
        let run = Task { try await fixture.runOnce(email: email, clock: TestClock(mondayMorning)) }
        #expect(await waitUntil { fixture.events("tf1").contains(.failed) })
        try FileManager.default.removeItem(atPath: failed)
        try FileManager.default.createDirectory(atPath: failed, withIntermediateDirectories: false)
        _ = try await run.value
        #expect(fixture.files(.failed) == ["tf1.json"])
        #expect(fixture.reason(.failed, "tf1.json")?.contains("550 5.1.1") == true)
        #expect(fixture.files(.active).isEmpty)
        #expect(fixture.events("tf1") == [.received, .sending, .failed])
    }

    @Test("with pacing of 1h, five actions of one debtor in one run: one goes out, four wait (rate_limit)")
    func pacingInOneRun() async throws {
        let fixture = try DispatcherFixture(extra: "")
        defer { fixture.remove() }
        let yaml = try String(contentsOfFile: fixture.root + "/koerier.yaml", encoding: .utf8)
            .replacingOccurrences(of: "delivery: { concurrency: 4,", with: "delivery: { concurrency: 8, debtor_pacing: 1h,")
        try yaml.write(toFile: fixture.root + "/koerier.yaml", atomically: true, encoding: .utf8)
        let paced = DispatcherFixture(root: fixture.root, configuration: try Configuration.load(file: fixture.root + "/koerier.yaml", environment: [:]))
        for n in 1...5 {
            try paced.drop(emailAction("pc\(n)").replacingOccurrences(of: "\"D-pc\(n)\"", with: "\"D-one\""), as: "pc\(n).json")
        }
        let email = ScriptedEmail()
        try await paced.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 1)
        #expect(paced.files(.sent).count == 1)
        #expect(paced.files(.deferred).count == 4)
        #expect(paced.events.filter { $0.event == .deferred }.allSatisfy { $0.reason == "rate_limit" })
    }

    @Test("power loss: a journalled file back in new/ is finished without a new event (terminal) or resent marked (sending)")
    func powerLossUndidClaims() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        // pl1 was sent (its move to sent/ and its claim were lost); pl2 was on the wire when the power went.
        var events: [JournalEvent] = []
        for (id, kinds) in [("pl1", [JournalEvent.Kind.received, .sending, .sent]), ("pl2", [.received, .sending])] {
            for kind in kinds {
                var e = JournalEvent(ts: mondayMorning - 60, action: id, event: kind)
                e.file = "\(id).json"
                if kind == .sending { e.attempt = 1 }
                events.append(e)
            }
        }
        try await fixture.writeHistory(events)
        try fixture.drop(emailAction("pl1"), as: "pl1.json")
        try fixture.drop(emailAction("pl2"), as: "pl2.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.sent) == ["pl1.json", "pl2.json"])
        #expect(fixture.events("pl1") == [.received, .sending, .sent], "no second terminal event, no rejection as a duplicate")
        #expect(email.received.withLock { $0.map(\.actionID) } == ["pl2"])
        let resent = fixture.events.filter { $0.action == "pl2" && $0.event == .sending }
        #expect(resent.last?.possibleRepeat == true)
        #expect(resent.last?.attempt == 2)
        #expect(fixture.events("pl2").filter(\.isTerminal) == [.sent])
    }

    @Test("an id that ended under another file name is still a duplicate (name reuse is not a power loss)")
    func duplicateUnderAnotherName() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("d1"), as: "first.json")
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        try fixture.drop(emailAction("d1"), as: "second.json")
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        #expect(fixture.files(.rejected) == ["second.json"])
        #expect(fixture.reason(.rejected, "second.json")?.contains("duplicate action id") == true)
    }

    /// Waits (bounded, 20 s) for a condition the code under test brings about.
    func waitUntil(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// `--once` and passing read errors: tried again in the same run, or reported with a non-zero result.
@Suite("Once and passing read errors", .serialized, .timeLimit(.minutes(2)))
struct OnceReadErrorTests {
    /// A dispatcher whose reads of `failing` fail with EIO the first `times` times.
    final class Counter: Sendable {
        let value = Mutex(0)

        func next() -> Int {
            value.withLock { count -> Int in
                count += 1
                return count
            }
        }
    }

    func dispatcher(_ fixture: DispatcherFixture, failing: String, times: Int) throws -> (Dispatcher, Counter) {
        let base = try fixture.dispatcher(clock: TestClock(mondayMorning))
        let spool = Spool(layout: fixture.spool)
        let counter = Counter()
        let reader: @Sendable (String, SpoolLayout.Folder) -> Spool.ReadResult = { name, folder in
            if name == failing {
                if counter.next() <= times { return .temporary("Input/output error") }
            }
            return spool.read(name, in: folder, maximum: ActionDecoder.maximumSize)
        }
        let clock = TestClock(mondayMorning)
        return (Dispatcher(runtime: base.runtime, journal: base.journal, logger: base.logger, now: { clock.now },
                           clock: ImmediateClock(), readFile: reader), counter)
    }

    @Test("a file put back after a passing read error is sent in the same --once run")
    func triedAgain() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("eio1"), as: "eio1.json")
        let (dispatcher, reads) = try dispatcher(fixture, failing: "eio1.json", times: 2)
        try await dispatcher.run(once: true)
        await dispatcher.journal.close()
        #expect(reads.value.withLock { $0 } == 3)
        #expect(fixture.files(.sent) == ["eio1.json"])
        #expect(fixture.files(.active).isEmpty)
        #expect(dispatcher.unfinished.isEmpty)
    }

    @Test("a file that stays unreadable is reported as unfinished when --once ends (it stays in active/ for the next run)")
    func reported() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("eio2"), as: "eio2.json")
        let (dispatcher, _) = try dispatcher(fixture, failing: "eio2.json", times: 1000)
        try await dispatcher.run(once: true)
        await dispatcher.journal.close()
        #expect(dispatcher.unfinished.count == 1)
        #expect(dispatcher.unfinished.first?.contains("eio2.json: Input/output error") == true)
        #expect(fixture.files(.active) == ["eio2.json"])
        #expect(fixture.events.isEmpty)
    }
}

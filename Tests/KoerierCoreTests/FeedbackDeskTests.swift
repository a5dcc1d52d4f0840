import Foundation
import Logging
import Synchronization
import Testing
@testable import KoerierCore

/// A clock the test moves by hand.
private final class DeskClock: Sendable {
    let value = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

private func sentEvent(_ id: String, channel: String = "email", messageID: String? = nil, at ts: Date) -> JournalEvent {
    var e = JournalEvent(ts: ts, action: id, event: .sent)
    e.channel = channel
    e.stage = "herinnering"
    e.debtor = "D-9"
    e.recipient = channel == "email" ? "jan@klant.example" : "+31612345678"
    e.provider = channel == "email" ? "smtp" : "primary"
    e.tags = ["dossier": "X1"]
    e.file = "\(id).json"
    e.messageID = messageID
    return e
}

private struct Fixture {
    let folder: String
    let journal: Journal
    let desk: FeedbackDesk
    let clock: DeskClock

    init(holdFor: TimeInterval = 3600) throws {
        folder = try TestSupport.makeTemporaryFolder("koerier-desk")
        journal = try Journal(directory: folder + "/journal")
        clock = DeskClock()
        desk = FeedbackDesk(journal: journal, inbound: folder + "/spool/inbound", logger: Logger(label: "test"), holdFor: holdFor,
                            now: { [clock] in clock.now })
        desk.load(since: nil)
    }

    func send(_ event: JournalEvent) async throws {
        try await journal.append(event)
        desk.observe([event])
    }

    func events(_ kind: JournalEvent.Kind) -> [JournalEvent] {
        JournalReader.all(in: folder + "/journal").filter { $0.event == kind }
    }

    func heldFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/spool/inbound")) ?? []).filter { $0.hasPrefix("held-") }
    }

    func finish() async {
        await journal.close()
        TestSupport.remove(folder)
    }
}

private let bounce = FeedbackReport(source: "email", match: .init(actionID: "A-1"), report: .undelivered(code: "5.1.1", detail: "550 5.1.1 user unknown"),
                                    code: "5.1.1", detail: "smtp; 550 5.1.1 user unknown")

@Suite("FeedbackDesk")
struct FeedbackDeskTests {
    @Test("a bounce for a sent email journals undelivered once, with the sent event's channel, debtor and provider and the DSN code")
    func bounceOnce() async throws {
        let f = try Fixture()
        try await f.send(sentEvent("A-1", messageID: "<A-1@voorbeeld.nl>", at: f.clock.now))
        #expect(await f.desk.accept(bounce) == .recorded(.undelivered))
        #expect(await f.desk.accept(bounce) == .ignored(why: "the delivery status is already undelivered; it only moves forward"))
        let delivered = FeedbackReport(source: "email", match: .init(actionID: "A-1"), report: .delivered(part: nil))
        if case .ignored = await f.desk.accept(delivered) {} else { Issue.record("a step after undelivered was not ignored") }
        let events = f.events(.undelivered)
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.codeText == "5.1.1")
        #expect(e.detail == "smtp; 550 5.1.1 user unknown")
        // The desk keeps only what a delivery event repeats (memory stays small for a large window): action,
        // channel, debtor, provider; `koerier journal --action` shows the rest from the sent event.
        #expect(e.channel == "email" && e.debtor == "D-9" && e.provider == "smtp")
        #expect(e.stage == nil && e.recipient == nil && e.tags == nil)
        #expect(e.jsonLine().contains("\"code\":\"5.1.1\""))
        #expect(f.events(.delivered).isEmpty)
        await f.finish()
    }

    @Test("a report before sent is kept in inbound/ and applied when sent is journalled")
    func heldUntilSent() async throws {
        let f = try Fixture()
        let report = FeedbackReport(source: "primary", match: .init(providerMessageID: "MB-77"), report: .delivered(part: nil), code: "delivered")
        #expect(await f.desk.accept(report) == .held)
        #expect(f.heldFiles().count == 1)
        #expect(f.events(.delivered).isEmpty)
        try await f.send(sentEvent("S-1", channel: "sms", messageID: "MB-77", at: f.clock.now))
        #expect(await f.desk.applyHeld() == 0)
        #expect(f.events(.delivered).map(\.action) == ["S-1"])
        #expect(f.events(.delivered).first?.codeText == "delivered")
        #expect(f.heldFiles().isEmpty)
        await f.finish()
    }

    @Test("a held report whose action is never sent is dropped after the hold period, and counted")
    func heldThenDropped() async throws {
        let f = try Fixture(holdFor: 3600)
        #expect(await f.desk.accept(bounce) == .held)
        #expect(await f.desk.applyHeld() == 1)
        f.clock.advance(3601)
        #expect(await f.desk.applyHeld() == 0)
        #expect(f.heldFiles().isEmpty)
        #expect(f.desk.counts["dropped"] == 1)
        #expect(f.events(.undelivered).isEmpty)
        await f.finish()
    }

    @Test("held reports survive a restart of the desk")
    func heldAcrossRestart() async throws {
        let f = try Fixture()
        #expect(await f.desk.accept(bounce) == .held)
        try await f.journal.append(sentEvent("A-1", at: f.clock.now))
        let again = FeedbackDesk(journal: f.journal, inbound: f.folder + "/spool/inbound", logger: Logger(label: "test"), now: { [clock = f.clock] in clock.now })
        again.load(since: nil)
        #expect(await again.applyHeld() == 0)
        #expect(f.events(.undelivered).count == 1)
        // After another restart the journal says undelivered: the same report again adds nothing.
        let third = FeedbackDesk(journal: f.journal, inbound: f.folder + "/spool/inbound", logger: Logger(label: "test"))
        third.load(since: nil)
        if case .ignored = await third.accept(bounce) {} else { Issue.record("a repeat after a restart was not ignored") }
        #expect(f.events(.undelivered).count == 1)
        await f.finish()
    }

    @Test("a three-part SMS is delivered only when every part is")
    func multipart() async throws {
        let f = try Fixture()
        try await f.send(sentEvent("S-3", channel: "sms", messageID: "CM-3", at: f.clock.now))
        func part(_ p: String) -> FeedbackReport {
            FeedbackReport(source: "primary", match: .init(providerMessageID: "CM-3"), report: .delivered(part: p), parts: 3)
        }
        if case .ignored = await f.desk.accept(part("1")) {} else { Issue.record("part 1 recorded") }
        if case .ignored = await f.desk.accept(part("1")) {} else { Issue.record("part 1 again recorded") }
        if case .ignored = await f.desk.accept(part("2")) {} else { Issue.record("part 2 recorded") }
        #expect(f.events(.delivered).isEmpty)
        #expect(await f.desk.accept(part("3")) == .recorded(.delivered))
        #expect(f.events(.delivered).count == 1)
        await f.finish()
    }

    @Test("a report is matched by the reference Koerier sent, even when SMSReference shortened a long id")
    func shortenedReference() async throws {
        let f = try Fixture()
        let id = String(repeating: "actie-met-een-lange-naam-", count: 3)
        try await f.send(sentEvent(id, channel: "sms", at: f.clock.now))
        // SMSReference.derive(id, maxLength: 32): a prefix, "-", and the 16 hex digits of the id's FNV-1a hash.
        let hash = StableHash.fnv1a64(id)
        let hex = String(hash, radix: 16)
        let reference = String(id.prefix(15)) + "-" + String(repeating: "0", count: 16 - hex.count) + hex
        let report = FeedbackReport(source: "spryng", match: .init(reference: reference), report: .undelivered(code: "20", detail: "absent subscriber"), code: "20")
        #expect(await f.desk.accept(report) == .recorded(.undelivered))
        #expect(f.events(.undelivered).first?.action == id)
        await f.finish()
    }

    @Test("a report that names nothing is unknown; a delay is ignored")
    func nothing() async throws {
        let f = try Fixture()
        try await f.send(sentEvent("A-1", at: f.clock.now))
        if case .unknown = await f.desk.accept(FeedbackReport(source: "x", match: .init(), report: .delivered(part: nil))) {} else { Issue.record("not unknown") }
        if case .ignored = await f.desk.accept(FeedbackReport(source: "email", match: .init(actionID: "A-1"), report: .delayed)) {} else { Issue.record("delay not ignored") }
        #expect(await f.desk.accept(FeedbackReport(source: "email", match: .init(actionID: "A-1"), report: .complained(detail: "abuse"))) == .recorded(.complained))
        #expect(f.events(.complained).count == 1)
        #expect(f.heldFiles().isEmpty)
        await f.finish()
    }

    @Test("two reports for the same action at once journal one event")
    func concurrent() async throws {
        let f = try Fixture()
        try await f.send(sentEvent("A-1", at: f.clock.now))
        let results = await withTaskGroup(of: FeedbackAcceptance.self) { group in
            for _ in 0..<20 { group.addTask { await f.desk.accept(bounce) } }
            var all: [FeedbackAcceptance] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 == .recorded(.undelivered) }.count == 1)
        #expect(f.events(.undelivered).count == 1)
        await f.finish()
    }
}

@Suite("ActionStatusBoard")
struct ActionStatusBoardTests {
    @Test("the latest state per action: delivery reports after sent, forward only", arguments: [
        ([JournalEvent.Kind.received, .sending, .sent], JournalEvent.Kind.sent),
        ([.received, .sending, .sent, .undelivered], .undelivered),
        ([.received, .sending, .sent, .delivered, .undelivered], .delivered),
        ([.received, .sending, .sent, .complained, .delivered], .complained),
        ([.received, .deferred], .deferred),
        ([.received, .sending, .failed], .failed),
        ([.received, .sending, .failed, .delivered], .failed),
        ([.rejected], .rejected),
    ])
    func latest(_ kinds: [JournalEvent.Kind], _ expected: JournalEvent.Kind) {
        var board = ActionStatusBoard()
        for (index, kind) in kinds.enumerated() {
            var e = JournalEvent(ts: Date(timeIntervalSince1970: Double(index)), action: "A", event: kind)
            if kind == .undelivered { e.codeText = "5.1.1" }
            board.apply(e)
        }
        #expect(board.all.map(\.state) == [expected])
        if expected == .undelivered { #expect(board.all.first?.code == "5.1.1") }
    }
}

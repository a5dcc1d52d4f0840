import Foundation
import Testing
@testable import KoerierCore

@Suite("Journal")
struct JournalTests {
    private func event(_ id: String, _ kind: JournalEvent.Kind, at seconds: TimeInterval = 1_795_000_000) -> JournalEvent {
        var e = JournalEvent(ts: Date(timeIntervalSince1970: seconds), action: id, event: kind)
        e.channel = "email"
        e.detail = "250 2.0.0 Ok: queued as \"X\"\n(second line)"
        e.tags = ["campagne": "najaar", "b": "2"]
        return e
    }

    @Test("appended events come back whole, in order, with strictly increasing seq")
    func roundTrip() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        try await journal.append([event("a", .received), event("a", .sending)])
        try await journal.append(event("a", .sent))
        await journal.close()
        let events = JournalReader.all(in: dir)
        #expect(events.map(\.event) == [.received, .sending, .sent])
        #expect(events.map(\.seq) == [1, 2, 3])
        #expect(events[2].detail == "250 2.0.0 Ok: queued as \"X\"\n(second line)")
        #expect(events[2].tags == ["campagne": "najaar", "b": "2"])
    }

    @Test("seq continues after a restart, and a torn last line left by a crash is cut off")
    func restartAndTornTail() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let first = try Journal(directory: dir)
        try await first.append([event("a", .received), event("b", .received)])
        await first.close()
        let file = dir + "/" + (JournalReader.files(in: dir).first ?? "")
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("{\"ts\":\"2026-11-22T08:00:00.000Z\",\"seq\":3,\"act".utf8))
        handle.closeFile()

        let second = try Journal(directory: dir)
        #expect(second.lastSeq == 2)
        try await second.append(event("c", .received))
        await second.close()
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        #expect(!text.contains("\"act\n"))
        #expect(JournalReader.all(in: dir).map(\.seq) == [1, 2, 3])
    }

    @Test("many concurrent appenders are group-committed without losing or duplicating a seq")
    func concurrentAppends() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask { try await journal.append([self.event("x\(index)", .sending), self.event("x\(index)", .sent)]) }
            }
            try await group.waitForAll()
        }
        await journal.close()
        let events = JournalReader.all(in: dir)
        #expect(events.count == 1000)
        #expect(events.map(\.seq) == Array(1...1000))
        // Each appender's two events stay together and in order.
        for pair in stride(from: 0, to: events.count, by: 2) {
            #expect(events[pair].action == events[pair + 1].action)
            #expect(events[pair].event == .sending && events[pair + 1].event == .sent)
        }
    }

    @Test("events go to the file of their UTC day")
    func dailyFiles() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        let lateEvening = RFC3339.parse("2026-11-22T23:59:59.999Z")!.timeIntervalSince1970
        try await journal.append([event("a", .received, at: lateEvening), event("a", .sent, at: lateEvening + 0.002)])
        await journal.close()
        #expect(JournalReader.files(in: dir) == ["2026-11-22.jsonl", "2026-11-23.jsonl"])
    }

    @Test("a journal that cannot be written throws and writes no half line")
    func unwritable() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        let day = RFC3339.utcDay(Date(timeIntervalSince1970: 1_795_000_000))
        // A folder where the day's file should be: open(2) fails even for root.
        try FileManager.default.createDirectory(atPath: "\(dir)/\(day).jsonl", withIntermediateDirectories: false)
        await #expect(throws: JournalError.self) { try await journal.append(event("a", .sending)) }
        try FileManager.default.removeItem(atPath: "\(dir)/\(day).jsonl")
        try await journal.append(event("a", .sending))
        await journal.close()
        #expect(JournalReader.all(in: dir).map(\.seq) == [1])
    }

    @Test("a batch that spans midnight is written whole or not at all")
    func batchAcrossDaysIsAtomic() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        let lateEvening = RFC3339.parse("2026-11-22T23:59:59.990Z")!.timeIntervalSince1970
        try await journal.append(event("before", .received, at: lateEvening - 60))
        try FileManager.default.createDirectory(atPath: "\(dir)/2026-11-23.jsonl", withIntermediateDirectories: false)
        await #expect(throws: JournalError.self) {
            try await journal.append([event("a", .sent, at: lateEvening), event("b", .sent, at: lateEvening + 0.02)])
        }
        #expect(JournalReader.all(in: dir).map(\.action) == ["before"], "day 1 keeps nothing of the failed batch")
        try FileManager.default.removeItem(atPath: "\(dir)/2026-11-23.jsonl")
        try await journal.append([event("a", .sent, at: lateEvening), event("b", .sent, at: lateEvening + 0.02)])
        await journal.close()
        let events = JournalReader.all(in: dir)
        #expect(events.map(\.action) == ["before", "a", "b"])
        #expect(events.map(\.seq) == [1, 2, 3])
    }

    @Test("an event stamped earlier than one already written gets the later time: lines are in time order")
    func timestampsNeverGoBack() async throws {
        let dir = try TestSupport.makeTemporaryFolder("journal")
        defer { TestSupport.remove(dir) }
        let journal = try Journal(directory: dir)
        let midnight = RFC3339.parse("2026-11-23T00:00:00.001Z")!.timeIntervalSince1970
        try await journal.append(event("late", .sent, at: midnight))
        try await journal.append(event("stale", .received, at: midnight - 0.5))
        await journal.close()
        #expect(JournalReader.files(in: dir) == ["2026-11-23.jsonl"])
        let events = JournalReader.all(in: dir)
        #expect(events.map(\.action) == ["late", "stale"])
        #expect(events[1].ts == events[0].ts)
    }

    @Test("every journal line is one JSON object with the contract's field names")
    func fieldNames() throws {
        var e = JournalEvent(ts: Date(timeIntervalSince1970: 1_795_000_000.25), action: "a-1", event: .deferred)
        e.seq = 7
        e.channel = "sms"
        e.templateSHA256 = "ab"
        e.messageID = "<m@x>"
        e.nextAttempt = Date(timeIntervalSince1970: 1_795_003_600)
        e.reason = "retry"
        e.possibleRepeat = true
        let line = e.jsonLine()
        #expect(!line.contains("\n"))
        guard case .object(let o) = try JSONParser.parse(Array(line.utf8)) else {
            Issue.record("not an object")
            return
        }
        #expect(Set(o.keys) == ["ts", "seq", "action", "event", "channel", "template_sha256", "message_id", "next_attempt", "reason", "possible_repeat"])
        #expect(o["ts"] == .string("2026-11-18T11:06:40.250Z"))
        #expect(JournalEvent(jsonLine: Array(line.utf8)) == e)
    }
}

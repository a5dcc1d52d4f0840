import Crypto
import Foundation
import Testing
@testable import KoerierCore

/// The evidence archive: message bytes kept in the journal's group commit, found again, proven, and deleted in time.
@Suite("Archive", .serialized)
struct ArchiveTests {
    @Test("with archive on, a sent email's event names the SHA-256 of exactly the bytes the relay got, and they can be read back")
    func sentEmailArchived() async throws {
        let fixture = try DispatcherFixture(extra: "archive: archive\n")
        defer { fixture.remove() }
        try fixture.drop(emailAction("ar1"), as: "ar1.json")
        try fixture.drop(emailAction("ar2"), as: "ar2.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        let archive = try #require(fixture.configuration.archive?.directory)
        for id in ["ar1", "ar2"] {
            let handed = try #require(email.received.withLock { $0.first { $0.actionID == id }?.bytes })
            let sent = try #require(fixture.events.last { $0.action == id && $0.event == .sent })
            #expect(sent.archiveSHA256 == Hex.encode(SHA256.hash(data: handed)))
            let kept = ArchiveReader.find(action: id, sha256: sent.archiveSHA256 ?? "", in: archive, days: [RFC3339.utcDay(sent.ts)])
            #expect(kept == handed)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".archive") }
        #expect(files.count == 1)
        #expect(ArchiveReader.headers(archive + "/" + (files.first ?? "")).map(\.action).sorted() == ["ar1", "ar2"])
    }

    @Test("without archive, sent events carry no archive_sha256")
    func archiveOff() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        try fixture.drop(emailAction("na1"), as: "na1.json")
        try await fixture.runOnce(clock: TestClock(mondayMorning))
        #expect(fixture.events.last?.event == .sent)
        #expect(fixture.events.last?.archiveSHA256 == nil)
    }

    @Test("the proof bundle holds the exact bytes, the journal lines and a manifest that matches them; altered bytes are refused")
    func proofBundle() throws {
        let message = Array("From: a@b\r\nTo: c@d\r\n\r\nHallo\r\n".utf8)
        var sent = JournalEvent(ts: mondayMorning, action: "p1", event: .sent)
        sent.channel = "email"
        sent.code = 250
        sent.detail = "250 2.0.0 Ok: queued as X"
        sent.archiveSHA256 = Hex.encode(SHA256.hash(data: message))
        var bounce = JournalEvent(ts: mondayMorning + 60, action: "p1", event: .undelivered)
        bounce.code = 511
        let lines = [sent, bounce].map { (event: $0, line: Array($0.jsonLine().utf8)) }
        let bundle = try ProofBundle.make(action: "p1", lines: lines, message: message)
        let files = Dictionary(uniqueKeysWithValues: bundle.files.map { ($0.name, $0.bytes) })
        #expect(files["message.eml"] == message)
        #expect(files["journal.jsonl"] == lines.flatMap { $0.line + [0x0A] })
        #expect(String(decoding: files["status.txt"] ?? [], as: UTF8.self).hasPrefix("undelivered 511"))
        let manifest = String(decoding: files["MANIFEST.sha256"] ?? [], as: UTF8.self)
        for (name, bytes) in bundle.files where name != "MANIFEST.sha256" {
            #expect(manifest.contains("\(Hex.encode(SHA256.hash(data: bytes)))  \(name)\n"))
        }
        #expect(throws: ProofBundle.Problem.self) { try ProofBundle.make(action: "p1", lines: lines, message: message + [0x20]) }
    }

    @Test("retention deletes whole days older than the period and nothing else")
    func retention() {
        let names = ["2024-11-27.archive", "2024-11-28.archive", "2026-11-28.archive", "notes.txt", "2020-01-01.jsonl"]
        let expired = ArchiveRetention.expired(names, today: CalendarDate(iso: "2026-11-28")!, retention: 730 * 86_400)
        #expect(expired == ["2024-11-27.archive"])
    }

    @Test("archive_retention is bounded and needs archive")
    func retentionConfig() throws {
        let root = try TestSupport.makeTemporaryFolder("archive-config")
        defer { TestSupport.remove(root) }
        for (yaml, problem) in [("archive: a\narchive_retention: 1d\n", "archive_retention"), ("archive_retention: 400d\n", "archive_retention")] {
            try TestSupport.write("templates: \(TestSupport.templatesRoot)\n" + yaml, to: "k.yaml", under: root)
            #expect(throws: ConfigError.self) { try Configuration.load(file: root + "/k.yaml", environment: [:]) }
            do { _ = try Configuration.load(file: root + "/k.yaml", environment: [:]) } catch { #expect(error.description.contains(problem)) }
        }
        try TestSupport.write("templates: \(TestSupport.templatesRoot)\narchive: a\n", to: "k.yaml", under: root)
        let configuration = try Configuration.load(file: root + "/k.yaml", environment: [:])
        #expect(configuration.archive?.directory == root + "/a")
        #expect(configuration.archive?.retention == TimeInterval(2 * 366 * 86_400))
    }
}

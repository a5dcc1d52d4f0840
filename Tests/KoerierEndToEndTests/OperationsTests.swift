import Foundation
import Testing
@testable import KoerierCore

/// What ops rely on with the real binary: TLS is never silently dropped, SIGHUP reloads safely.
@Suite("Operations", .serialized)
struct OperationsTests {
    @Test("tls: required against a relay without STARTTLS: nothing goes out in plain text, the action waits with a TLS reason")
    func tlsRequiredIsNeverDowngraded() async throws {
        let work = try Workspace("tls-required")
        let sink = try await SMTPSink(in: work.root)
        defer { sink.stop(); work.remove() }
        try work.writeConfig(port: sink.port)
        let config = try String(contentsOfFile: work.configPath, encoding: .utf8).replacingOccurrences(of: "tls: none", with: "tls: required")
        try config.write(toFile: work.configPath, atomically: true, encoding: .utf8)
        try work.drop(Actions.email(id: "tls-1", to: "tls@example.nl"))
        let run = try await work.runOnce()
        #expect(run.status == 0)
        #expect(sink.messages().isEmpty, "a message went out without TLS")
        #expect(work.files("deferred") == ["tls-1.json"])
        let waiting = try #require(work.events(for: "tls-1").last)
        #expect(waiting.event == .deferred && waiting.reason == "retry")
        #expect(waiting.detail?.contains("TLS") == true, "\(waiting.detail ?? "")")
    }

    @Test("SIGHUP with a broken configuration keeps the old one and goes on; a good one is taken without dropping work")
    func reload() async throws {
        let work = try Workspace("reload")
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop(); work.remove() }
        try work.writeConfig(port: relay.port)
        let good = try String(contentsOfFile: work.configPath, encoding: .utf8)
        let daemon = try work.startDaemon()
        defer { daemon.stop() }

        try work.drop(Actions.email(id: "hup-1", to: "hup1@example.nl"))
        #expect(await E2E.waitUntil(timeout: 20) { work.files("sent") == ["hup-1.json"] }, "first action not sent")

        try (good + "\nnot_a_setting: 1\n").write(toFile: work.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await E2E.waitUntil(timeout: 10) { daemon.log.contains("reload refused") }, "no refusal logged: \(daemon.log.suffix(2000))")
        #expect(daemon.log.contains("not_a_setting"))
        try work.drop(Actions.email(id: "hup-2", to: "hup2@example.nl"))
        #expect(await E2E.waitUntil(timeout: 20) { work.files("sent").contains("hup-2.json") }, "the daemon stopped working after a broken reload")

        let renamed = good.replacingOccurrences(of: "name: Afdeling Debiteurenbeheer", with: "name: Team Incasso Noord")
        #expect(renamed != good)
        try renamed.write(toFile: work.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await E2E.waitUntil(timeout: 10) { daemon.log.contains("reloaded") }, "no reload logged")
        try work.drop(Actions.email(id: "hup-3", to: "hup3@example.nl"))
        #expect(await E2E.waitUntil(timeout: 20) { work.files("sent").contains("hup-3.json") })
        let third = relay.accepted().first { $0.recipients == ["hup3@example.nl"] }
        #expect(third?.decodedBodies.contains("Team Incasso Noord") == true, "the new default sender is used after the reload")

        // Transport settings cannot change under a running transport: refused, and said so.
        try renamed.replacingOccurrences(of: "connections: 2", with: "connections: 3").write(toFile: work.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await E2E.waitUntil(timeout: 10) { daemon.log.contains("transport settings changed") }, "no refusal for a transport change")

        daemon.signal(SIGTERM)
        let exit = await daemon.waitForExit(timeout: 30)
        #expect(exit?.reason == .exit && exit?.status == 0)
        #expect(JournalChecks.terminals(work.events()).count == 3)
    }
}

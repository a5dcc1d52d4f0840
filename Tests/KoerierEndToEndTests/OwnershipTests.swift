import Foundation
import Testing
@testable import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

/// One process owns a spool and its journal; a forced stop never looks like success.
@Suite("Ownership and stopping", .serialized)
struct OwnershipTests {
    @Test("a daemon owns the spool: run --once and a second daemon exit 75 naming its pid; each message goes out once",
          .timeLimit(.minutes(2)))
    func oneOwner() async throws {
        let work = try Workspace("owner")
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop() }
        try work.writeConfig(port: relay.port)
        let daemon = try work.startDaemon()
        defer { daemon.stop() }
        #expect(await E2E.waitUntil(timeout: 15) { daemon.log.contains("koerier started") })
        let pid = daemon.process.processIdentifier

        let ids = (1...30).map { String(format: "own-%03d", $0) }
        for id in ids { try work.drop(Actions.email(id: id, to: "\(id)@example.nl")) }
        let second = try await work.runOnce()
        #expect(second.status == 75, "run --once beside the daemon: \(second.output.suffix(1500))")
        #expect(second.output.contains("in use by koerier process \(pid)"), "\(second.output.suffix(1500))")
        let other = try work.startDaemon()
        let otherExit = await other.waitForExit(timeout: 20)
        #expect(otherExit?.status == 75)
        #expect(other.log.contains("in use by koerier process \(pid)"))

        #expect(await E2E.waitUntil(timeout: 30) { work.files("sent").count == ids.count }, "in \(work.locations())")
        var receipts: [String: Int] = [:]
        for message in relay.accepted() { receipts[message.header("X-Koerier-Action") ?? "?", default: 0] += 1 }
        #expect(ids.allSatisfy { receipts[$0] == 1 }, "\(receipts.filter { $0.value != 1 })")
        let events = work.events()
        #expect(JournalChecks.seqStrictlyIncreasing(events))
        #expect(Set(events.map(\.seq)).count == events.count, "journal seq numbers repeat")

        // kill -9 releases the lock at once: the next run starts without waiting.
        daemon.signal(SIGKILL)
        _ = await daemon.waitForExit(timeout: 10)
        try work.drop(Actions.email(id: "own-after", to: "after@example.nl"))
        let after = try await work.runOnce()
        #expect(after.status == 0, "\(after.output.suffix(1500))")
        #expect(work.files("sent").contains("own-after.json"))
        work.remove()
    }

    @Test("two configurations sharing one journal folder: the second exits 75 before touching its spool")
    func sharedJournal() async throws {
        let work = try Workspace("shared-journal")
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop() }
        try work.writeConfig(port: relay.port)
        let daemon = try work.startDaemon()
        defer { daemon.stop() }
        #expect(await E2E.waitUntil(timeout: 15) { daemon.log.contains("koerier started") })
        let otherSpool = work.root + "/spool-b"
        let config = try String(contentsOfFile: work.configPath, encoding: .utf8)
            .replacingOccurrences(of: "spool: \(work.spool)", with: "spool: \(otherSpool)")
        let otherConfig = work.root + "/other.yaml"
        try config.write(toFile: otherConfig, atomically: true, encoding: .utf8)
        let child = try Child(name: "second koerier", executable: try E2E.koerierBinary(),
                              arguments: ["run", "--config", otherConfig, "--once"], logPath: work.root + "/second.log")
        let exit = await child.waitForExit(timeout: 20)
        #expect(exit?.status == 75)
        #expect(child.log.contains("journal"), "\(child.log)")
        #expect(!FileManager.default.fileExists(atPath: otherSpool + "/active"), "the second process created spool folders")
        work.remove()
    }

    @Test("SIGTERM with a send that outlives shutdown_deadline: exit 75, not 0, and the journal has only whole lines",
          .timeLimit(.minutes(2)))
    func forcedStop() async throws {
        let work = try Workspace("forced")
        let relay = try await PythonRelay(in: work.root, options: ["--stall-first-rcpt", "^slow", "--stall-seconds", "20"])
        defer { relay.stop() }
        try work.writeConfig(port: relay.port, timeout: 30, shutdownDeadline: "2s")
        let daemon = try work.startDaemon()
        defer { daemon.stop() }
        try work.drop(Actions.email(id: "slow-1", to: "slow@example.nl"))
        #expect(await E2E.waitUntil(timeout: 20) { work.events(for: "slow-1").contains { $0.event == .sending } })
        daemon.signal(SIGTERM)
        let exit = await daemon.waitForExit(timeout: 20)
        #expect(exit?.reason == .exit)
        #expect(exit?.status == 75, "\(daemon.log.suffix(1500))")
        #expect(daemon.log.contains("shutdown deadline reached"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: work.journal + "/" + (JournalReader.files(in: work.journal).last ?? "")))
        #expect(bytes.last == 0x0A, "the journal ends in half a line")
        #expect(work.events(for: "slow-1").last?.event == .sending)
        #expect(work.files("active") == ["slow-1.json"])
        work.remove()
    }

    @Test("started by systemd (Type=notify): READY=1 once work is taken, STOPPING=1 at SIGTERM", .timeLimit(.minutes(2)))
    func systemdNotify() async throws {
        let work = try Workspace("notify")
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop() }
        try work.writeConfig(port: relay.port)
        let socket = work.root + "/notify.sock"
        let received = work.root + "/notify.log"
        let listener = try Child(name: "notify listener", executable: E2E.python, arguments: ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(sys.argv[1])
            while True:
                data = s.recv(4096)
                with open(sys.argv[2], "a") as f:
                    f.write(data.decode() + "\\n---\\n")
            """, socket, received], logPath: work.root + "/listener.log")
        defer { listener.stop() }
        #expect(await E2E.waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: socket) })
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socket
        let daemon = try Child(name: "koerier daemon", executable: try E2E.koerierBinary(),
                               arguments: ["run", "--config", work.configPath], logPath: work.root + "/daemon.log", environment: environment)
        defer { daemon.stop() }
        let text = { (try? String(contentsOfFile: received, encoding: .utf8)) ?? "" }
        #expect(await E2E.waitUntil(timeout: 20) { text().contains("READY=1") }, "no READY=1: \(daemon.log.suffix(1000))")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(timeout: 30)?.status == 0)
        #expect(await E2E.waitUntil(timeout: 5) { text().contains("STOPPING=1") })
        work.remove()
    }
}

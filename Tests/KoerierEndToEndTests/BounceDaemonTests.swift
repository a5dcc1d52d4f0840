import Foundation
import KoerierCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Bounces in the running daemon", .serialized)
struct BounceDaemonTests {
    static let secret = "0123456789abcdef0123456789abcdef-daemon"

    /// Pipes `file` into `koerier bounce --recipient`, as an MTA would; returns the exit status.
    static func pipe(_ file: String, recipient: String, work: Workspace) async throws -> Int32 {
        let child = try Child(name: "koerier bounce", executable: "/bin/sh",
                              arguments: ["-c", "exec \"$0\" bounce --config \"$1\" --recipient \"$2\" < \"$3\"",
                                          try E2E.koerierBinary(), work.configPath, recipient, file],
                              logPath: work.root + "/bounce-\(UUID().uuidString.prefix(6)).log")
        let result = try #require(await child.waitForExit(timeout: 30))
        return result.status
    }

    @Test("a bounce that arrives before its action is sent is held, then journalled once the daemon sends it; a forged one marks nothing")
    func heldThenApplied() async throws {
        let work = try Workspace("bounce-daemon")
        defer { work.remove() }
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop() }
        try work.writeConfig(port: relay.port)
        try Self.secret.write(toFile: work.root + "/bounce-secret", atomically: true, encoding: .utf8)
        let yaml = try String(contentsOfFile: work.configPath, encoding: .utf8).replacingOccurrences(
            of: "  reply_to_sender: true\n",
            with: "  reply_to_sender: true\n  bounce:\n    domain: bounces.voorbeeld.test\n    secret_file: bounce-secret\n")
        try yaml.write(toFile: work.configPath, atomically: true, encoding: .utf8)
        let dsn = E2E.repoRoot + "/Tests/Bounces/postfix-5.1.1.eml"
        let daemon = try work.startDaemon()
        defer { daemon.stop() }
        let inbound = work.spool + "/inbound"
        func names(_ prefix: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: inbound)) ?? []).filter { $0.hasPrefix(prefix) }
        }

        // A forged token and an action that is not sent yet.
        let forged = BounceAddress.address(actionID: "A-LATE", domain: "bounces.voorbeeld.test", secret: "not the daemon's secret")
        #expect(try await Self.pipe(dsn, recipient: forged, work: work) == 0)
        let good = BounceAddress.address(actionID: "A-LATE", domain: "bounces.voorbeeld.test", secret: Self.secret)
        #expect(try await Self.pipe(dsn, recipient: good, work: work) == 0)
        let held = await E2E.waitUntil(timeout: 30, poll: 0.1) { names("msg-").isEmpty && names("held-").count == 1 }
        #expect(held, "inbound/: \(names("")); log: \(daemon.log.suffix(2000))")
        #expect(work.events().filter { $0.event.isDeliveryReport }.isEmpty)

        // The engine drops the action; the daemon sends it, and the held bounce is applied.
        try work.drop(Actions.email(id: "A-LATE", to: "jan@klant.example"))
        let applied = await E2E.waitUntil(timeout: 30, poll: 0.1) { work.events().contains { $0.event == .undelivered } }
        #expect(applied, "log: \(daemon.log.suffix(3000))")
        let reports = work.events().filter { $0.event.isDeliveryReport }
        #expect(reports.map(\.action) == ["A-LATE"])
        #expect(reports.first?.codeText == "5.1.1")
        #expect(names("held-").isEmpty)
        #expect(relay.accepted().first?.mailFrom == good)

        // The same bounce again (an MTA that delivers twice) adds nothing.
        #expect(try await Self.pipe(dsn, recipient: good, work: work) == 0)
        #expect(await E2E.waitUntil(timeout: 30, poll: 0.1) { names("msg-").isEmpty })
        daemon.signal(SIGTERM)
        let exit = await daemon.waitForExit(timeout: 30)
        #expect(exit?.status == 0)
        #expect(work.events().filter { $0.event.isDeliveryReport }.count == 1)
        #expect(!daemon.log.contains(Self.secret))

        // The collector's view: one line per action with its latest state and the DSN code.
        let status = try Child(name: "koerier journal", executable: try E2E.koerierBinary(),
                               arguments: ["journal", "--config", work.configPath, "--status", "--event", "undelivered", "--format", "json"],
                               logPath: work.root + "/journal-status.log")
        #expect(await status.waitForExit(timeout: 30)?.status == 0)
        let lines = status.log.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("\"action\":\"A-LATE\",\"state\":\"undelivered\"") == true, "\(status.log)")
        #expect(lines.first?.contains("\"code\":\"5.1.1\"") == true, "\(status.log)")
    }
}

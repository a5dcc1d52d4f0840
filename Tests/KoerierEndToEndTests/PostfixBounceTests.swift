import Foundation
import KoerierCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Real Postfix bounce", .serialized, .enabled(if: PostfixInstance.available, "needs root and Postfix (apt install postfix)"))
struct PostfixBounceTests {
    @Test("a DSN made by a real Postfix and piped to koerier bounce marks exactly the refused action undelivered 5.1.1")
    func realBounce() async throws {
        let work = try Workspace("postfix-bounce")
        defer { work.remove() }
        // The next hop refuses every recipient at klant.example with 550 5.1.1, and takes the others.
        let relay = try await PythonRelay(in: work.root, options: ["--reject-rcpt", "@klant\\.example$"])
        defer { relay.stop() }
        try "0123456789abcdef0123456789abcdef-e2e\n".write(toFile: work.root + "/bounce-secret", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: work.spool + "/inbound", withIntermediateDirectories: true)
        chmod(work.spool + "/inbound", 0o777)  // koerier bounce runs as nobody here; in production, as the daemon's user
        let postfix = try await PostfixInstance(directory: work.root + "/postfix", relayPort: relay.port, bounceDomain: "bounces.voorbeeld.test",
                                                koerier: try E2E.koerierBinary(), koerierConfig: work.configPath)
        do {
            try work.writeConfig(port: postfix.port)
            let yaml = try String(contentsOfFile: work.configPath, encoding: .utf8).replacingOccurrences(
                of: "  reply_to_sender: true\n",
                with: "  reply_to_sender: true\n  bounce:\n    domain: bounces.voorbeeld.test\n    secret_file: bounce-secret\n")
            try yaml.write(toFile: work.configPath, atomically: true, encoding: .utf8)
            chmod(work.configPath, 0o644)

            try work.drop(Actions.email(id: "A-BOUNCE", to: "jan@klant.example"))
            try work.drop(Actions.email(id: "A-OK", to: "piet@elders.example"))
            let first = try await work.runOnce()
            #expect(first.status == 0, "\(first.output.suffix(2000))")
            #expect(Set(work.events().filter { $0.event == .sent }.map(\.action)) == ["A-BOUNCE", "A-OK"])

            // Postfix relays, is refused, writes a DSN to the VERP sender and pipes it to koerier bounce.
            let kept = await E2E.waitUntil(timeout: 60, poll: 0.2) {
                ((try? FileManager.default.contentsOfDirectory(atPath: work.spool + "/inbound")) ?? []).contains { $0.hasPrefix("msg-") }
            }
            #expect(kept, "no bounce reached inbound/; postfix log: \(postfix.log.suffix(3000))")
            #expect(relay.messages().contains { $0.outcome == "accepted" && $0.recipients == ["piet@elders.example"] })
            #expect(relay.messages().allSatisfy { $0.mailFrom.hasPrefix("bounce+") && $0.mailFrom.hasSuffix("@bounces.voorbeeld.test") })

            let second = try await work.runOnce()
            #expect(second.status == 0, "\(second.output.suffix(2000))")
            let reports = work.events().filter { $0.event.isDeliveryReport }
            #expect(reports.count == 1, "\(reports.map { $0.jsonLine() })")
            let event = try #require(reports.first)
            #expect(event.action == "A-BOUNCE")
            #expect(event.event == .undelivered)
            #expect(event.codeText == "5.1.1")
            #expect(event.detail?.contains("550 5.1.1") == true)
            // A delivery event repeats the action's channel, debtor and provider (the sent event has the rest).
            #expect(event.channel == "email" && event.provider == "smtp")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: work.spool + "/inbound")) ?? []).filter { $0.hasPrefix("msg-") }.isEmpty)
        } catch {
            await postfix.stop()
            throw error
        }
        await postfix.stop()
    }

    @Test("koerier bounce keeps a message from standard input and exits 0; 75 when it cannot keep it")
    func bounceCommand() async throws {
        let work = try Workspace("bounce-command")
        defer { work.remove() }
        try work.writeConfig(port: 25)
        let message = "To: bounce+x@b.example\nSubject: test\n\nhallo\n"
        try message.write(toFile: work.root + "/in.eml", atomically: true, encoding: .utf8)
        func run() async throws -> Int32 {
            let child = try Child(name: "koerier bounce", executable: "/bin/sh",
                                  arguments: ["-c", "exec \"$0\" bounce --config \"$1\" < \"$2\"", try E2E.koerierBinary(), work.configPath, work.root + "/in.eml"],
                                  logPath: work.root + "/bounce-\(UUID().uuidString.prefix(4)).log")
            let result = try #require(await child.waitForExit(timeout: 30))
            return result.status
        }
        #expect(try await run() == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: work.spool + "/inbound").filter { $0.hasPrefix("msg-") }
        #expect(names.count == 1)
        let kept = try #require(FileManager.default.contents(atPath: work.spool + "/inbound/" + (names.first ?? "")))
        #expect(String(decoding: kept, as: UTF8.self) == "Koerier-Recipient: bounce+x@b.example\n" + message)
        // The inbound folder cannot be created (a file stands in its place): 75, so the MTA tries again.
        try FileManager.default.removeItem(atPath: work.spool + "/inbound")
        try "x".write(toFile: work.spool + "/inbound", atomically: true, encoding: .utf8)
        #expect(try await run() == 75)
    }
}

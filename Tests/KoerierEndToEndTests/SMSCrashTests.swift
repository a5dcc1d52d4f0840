import Foundation
import Testing
@testable import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

/// `sending` is journalled only for requests on the wire or next in line for a slot (at most `delivery.send_ahead`):
/// SIGKILLs leave in doubt at most send_ahead + concurrency requests each.
@Suite("SMS kills", .serialized)
struct SMSCrashTests {
    @Test("1,000 SMS behind a rate limit, six SIGKILLs: only requests on the wire or next in line are left in doubt", .timeLimit(.minutes(4)))
    func killsDuringRateLimitedSMS() async throws {
        let work = try Workspace("sms-kills")
        let token = "kill-T0KEN"
        try token.write(toFile: work.root + "/token", atomically: true, encoding: .utf8)
        let fake = try await FakeSMSProvider(in: work, token: token)
        defer { fake.stop() }
        // CM has no lookup: an SMS in doubt after a crash fails as "outcome unknown" (sms.ambiguous: fail).
        let concurrency = 4
        let sendAhead = 4
        try work.writeSMSConfig(providers: [
            "{ name: cm, kind: cm, url: \"http://127.0.0.1:\(fake.port)\", token_file: token, concurrency: \(concurrency), rate_per_second: 150 }",
        ], tokenFile: work.root + "/token")
        let config = try String(contentsOfFile: work.configPath, encoding: .utf8)
            .replacingOccurrences(of: "delivery: { concurrency: 4,", with: "delivery: { concurrency: 64, send_ahead: \(sendAhead),")
        try config.write(toFile: work.configPath, atomically: true, encoding: .utf8)

        let ids = (1...1000).map { String(format: "smsk%04d", $0) }
        for (n, id) in ids.enumerated() {
            // Numbers ending in 0, 8 or 9 are accepted by the fake provider.
            try work.drop(SMSActions.sms(id: id, phone: "06-1234\(String(format: "%03d", n % 1000))" + ["0", "8", "9"][n % 3]))
        }
        var kills = 0
        while kills < 6 {
            let daemon = try work.startDaemon()
            let before = work.files("sent").count + work.files("failed").count
            _ = await E2E.waitUntil(timeout: 20, poll: 0.01) { work.files("sent").count + work.files("failed").count >= before + 60 }
            daemon.signal(SIGKILL)
            _ = await daemon.waitForExit(timeout: 10)
            kills += 1
        }
        let drain = try await work.runOnce(timeout: 120)
        #expect(drain.status == 0, "\(drain.output.suffix(1500))")
        for folder in Workspace.workingFolders {
            #expect(work.files(folder).isEmpty, "\(folder)/ holds \(work.files(folder).prefix(5))")
        }
        let events = work.events()
        let terminals = JournalChecks.terminals(events)
        #expect(ids.allSatisfy { terminals[$0]?.count == 1 }, "an action without exactly one terminal event")

        let bodies = fake.requests().filter { ($0["method"] as? String) == "POST" }.map { ($0["body"] as? String) ?? "" }
        var reached: [String: Int] = [:]
        for body in bodies {
            for id in Self.ids(in: body) { reached[id, default: 0] += 1 }
        }
        let inDoubt = ids.filter { id in terminals[id]?.first?.reason?.hasPrefix("outcome unknown") == true }
        let neverReached = inDoubt.filter { reached[$0] == nil }
        print("sms kill test: \(inDoubt.count) in doubt after \(kills) kills, \(neverReached.count) of them never reached the provider")
        // At most the requests the provider limit lets out at once can be on the wire at a kill.
        #expect(inDoubt.count <= kills * (sendAhead + concurrency), "\(inDoubt.count) SMS in doubt after \(kills) kills")
        // Nothing reached the provider twice without the journal saying so.
        #expect(reached.filter { $0.value > 1 }.isEmpty, "sent twice: \(reached.filter { $0.value > 1 }.keys.sorted().prefix(5))")
        work.remove()
    }

    /// Action ids (`smskNNNN`) named in a request body.
    static func ids(in body: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(body)
        while let range = rest.range(of: "smsk") {
            let id = rest[range.lowerBound...].prefix(8)
            if id.count == 8 { found.insert(String(id)) }
            rest = rest[range.upperBound...]
        }
        return found
    }
}

import Crypto
import Foundation
import Testing
@testable import KoerierCore

/// `koerier proof` with the real binary: the 14-day letter as the relay got it, provable byte for byte.
@Suite("Proof", .serialized)
struct ProofTests {
    @Test("koerier proof of a sent 14-day letter reproduces the exact bytes whose SHA-256 the journal holds", .timeLimit(.minutes(2)))
    func proofOfFourteenDayLetter() async throws {
        let work = try Workspace("proof")
        let relay = try await PythonRelay(in: work.root)
        defer { relay.stop() }
        try work.writeConfig(port: relay.port)
        try (String(contentsOfFile: work.configPath, encoding: .utf8) + "archive: \(work.root)/archive\n").write(toFile: work.configPath, atomically: true, encoding: .utf8)
        try work.drop(Actions.email(id: "vdb-1", to: "vdb@example.nl", stage: "veertiendagenbrief"))
        let run = try await work.runOnce()
        #expect(run.status == 0, "\(run.output.suffix(1500))")
        let sent = try #require(work.events(for: "vdb-1").last { $0.event == .sent }, "not sent: \(work.locations())")
        let digest = try #require(sent.archiveSHA256)
        let arrived = try #require(relay.accepted().first { $0.recipients == ["vdb@example.nl"] })

        let out = work.root + "/proof"
        let child = try Child(name: "koerier proof", executable: try E2E.koerierBinary(),
                              arguments: ["proof", "--config", work.configPath, "vdb-1", "--out", out], logPath: work.root + "/proof.log")
        let exit = await child.waitForExit(timeout: 30)
        #expect(exit?.status == 0, "\(child.log)")
        let message = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out + "/message.eml")))
        #expect(Hex.encode(SHA256.hash(data: message)) == digest)
        #expect(message == arrived.raw, "the archived bytes are not the bytes the relay received")

        // sha256sum, as a lawyer's assistant would run it, agrees with the manifest.
        let check = try Child(name: "sha256sum", executable: "/bin/sh", arguments: ["-c", "cd '\(out)' && sha256sum -c MANIFEST.sha256"],
                              logPath: work.root + "/sha256sum.log")
        #expect(await check.waitForExit(timeout: 10)?.status == 0, "\(check.log)")
        let journalLines = try String(contentsOfFile: out + "/journal.jsonl", encoding: .utf8)
        #expect(journalLines.contains("\"archive_sha256\":\"\(digest)\""))

        // Without the event the proof is refused, not invented.
        let missing = try Child(name: "koerier proof", executable: try E2E.koerierBinary(),
                                arguments: ["proof", "--config", work.configPath, "nobody", "--out", work.root + "/none"], logPath: work.root + "/none.log")
        #expect(await missing.waitForExit(timeout: 30)?.status == 65)
        work.remove()
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// `koerier check` and `koerier run` on the same configuration: check builds what run builds, lists every
/// problem, and never passes a configuration that run then refuses with 78.
@Suite("check and run agree", .serialized)
struct CheckCommandTests {
    /// Runs `koerier <arguments>` (bounded) and returns its exit status and output.
    private func koerier(_ arguments: [String], in work: Workspace, label: String) async throws -> (status: Int32, output: String) {
        let child = try Child(name: "koerier \(label)", executable: try E2E.koerierBinary(), arguments: arguments,
                              logPath: work.root + "/\(label).log")
        guard let result = await child.waitForExit(timeout: 60) else {
            child.stop()
            throw HarnessError("koerier \(label) did not finish within 60 s")
        }
        return (result.reason == .exit ? result.status : 128 + result.status, child.log)
    }

    private func outboxConfig(_ work: Workspace, outbox: String, extra: String = "") -> String {
        """
        spool: \(work.spool)
        journal: \(work.journal)
        templates: \(E2E.templates)
        attachments: \(work.attachments)
        email:
          transport: outbox
          outbox: \(outbox)
        company:
          phone: 030-123 45 67
          email: debiteuren@voorbeeld.nl
        \(extra)
        """
    }

    @Test("a configuration that check passes runs, and one whose transport cannot be built fails check as it fails run", arguments: [
        ("good", false),
        ("outbox-under-a-file", true),
    ])
    func checkAndRunAgree(_ label: String, broken: Bool) async throws {
        let work = try Workspace("check-\(label)")
        defer { work.remove() }
        let blocker = work.root + "/a-file"
        try "not a folder".write(toFile: blocker, atomically: true, encoding: .utf8)
        let outbox = broken ? blocker + "/outbox" : work.root + "/outbox"
        try outboxConfig(work, outbox: outbox).write(toFile: work.configPath, atomically: true, encoding: .utf8)
        let check = try await koerier(["check", "--config", work.configPath], in: work, label: "check")
        let run = try await koerier(["run", "--config", work.configPath, "--once"], in: work, label: "run")
        #expect(check.status == (broken ? 78 : 0), "check said: \(check.output.suffix(2000))")
        if check.status == 0 { #expect(run.status != 78, "run said: \(run.output.suffix(2000))") }
        if broken {
            #expect(run.status == 78)
            #expect(check.output.contains("email.outbox: \(outbox) cannot be created"), "check said: \(check.output.suffix(2000))")
        }
    }

    @Test("check lists every problem, one line each, and exits 78")
    func everyProblem() async throws {
        let work = try Workspace("check-every")
        defer { work.remove() }
        let extra = """
            timezone: Europe/Amsterdm
            delivery:
              rescan_interval: 1e400s
            sms:
              providers:
                - kind: twilio
                  url: https://api.twilio.com
                  token_env: KOERIER_TEST_NOT_SET
            """
        try outboxConfig(work, outbox: work.root + "/outbox", extra: extra).write(toFile: work.configPath, atomically: true, encoding: .utf8)
        let check = try await koerier(["check", "--config", work.configPath], in: work, label: "check")
        #expect(check.status == 78)
        let lines = check.output.split(separator: "\n").filter { $0.hasPrefix("koerier: \(work.configPath): ") }
        #expect(lines.count == 4, "check said: \(check.output)")
        for key in ["timezone", "delivery.rescan_interval", "sms.providers[0].token_env", "sms.providers[0].account"] {
            #expect(lines.contains { $0.contains(": \(key): ") }, "no line for \(key): \(check.output)")
        }
    }

    @Test("hostile YAML makes check exit 78 with a message, not crash", arguments: [
        ("deep", "spool: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n", "nests more than 64"),
        ("aliases", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n", "aliases are not allowed"),
        ("huge", "# " + String(repeating: "x", count: 2 << 20) + "\n", "at most 1048576 bytes"),
    ])
    func hostileYAML(_ label: String, yaml: String, message: String) async throws {
        let work = try Workspace("check-\(label)")
        defer { work.remove() }
        try yaml.write(toFile: work.configPath, atomically: true, encoding: .utf8)
        let check = try await koerier(["check", "--config", work.configPath], in: work, label: "check")
        #expect(check.status == 78, "check said: \(check.output.suffix(2000))")
        #expect(check.output.contains(message), "check said: \(check.output.suffix(2000))")
    }

    @Test("a template that check refuses (BKR threatened in a reminder) is refused by run too: nothing goes out")
    func lintErrorStopsRun() async throws {
        let work = try Workspace("check-bkr")
        defer { work.remove() }
        let templates = work.root + "/templates"
        try FileManager.default.copyItem(atPath: E2E.templates, toPath: templates)
        let file = templates + "/email/herinnering/standaard.zakelijk.text.mustache"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try (original + "\nBetaalt u niet, dan melden wij u bij het BKR.\n").write(toFile: file, atomically: true, encoding: .utf8)
        let config = outboxConfig(work, outbox: work.root + "/outbox").replacingOccurrences(of: "templates: \(E2E.templates)", with: "templates: \(templates)")
        try config.write(toFile: work.configPath, atomically: true, encoding: .utf8)
        try work.drop(Actions.email(id: "bkr-1", to: "bkr@example.nl", segment: "standaard"))
        let check = try await koerier(["check", "--config", work.configPath], in: work, label: "check")
        let run = try await koerier(["run", "--config", work.configPath, "--once"], in: work, label: "run")
        #expect(check.status == 78)
        #expect(run.status == 78, "run said: \(run.output.suffix(2000))")
        #expect(run.output.lowercased().contains("\"bkr\" is not allowed in stage herinnering"), "run said: \(run.output.suffix(2000))")
        #expect(work.files("new") == ["bkr-1.json"], "the action was touched")
        #expect(work.events().isEmpty)
    }
}

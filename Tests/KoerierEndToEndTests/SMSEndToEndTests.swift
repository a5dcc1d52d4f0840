import Foundation
import Testing
@testable import KoerierCore

/// The fake provider script, started through the harness's signal-clean wrapper.
final class FakeSMSProvider: @unchecked Sendable {
    let child: Child
    let port: Int
    let log: String

    init(in workspace: Workspace, token: String) async throws {
        let portFile = workspace.root + "/sms-port"
        let log = workspace.root + "/sms-requests.jsonl"
        let child = try Child(name: "fake_sms_provider.py", executable: E2E.python,
                              arguments: [E2E.repoRoot + "/Tests/Support/fake_sms_provider.py", "--port", "0", "--port-file", portFile,
                                          "--log", log, "--token", token],
                              logPath: workspace.root + "/sms-provider.log")
        self.log = log
        self.child = child
        let ready = await E2E.waitUntil(timeout: 15) { FileManager.default.fileExists(atPath: portFile) || !child.isRunning }
        guard ready, let text = try? String(contentsOfFile: portFile, encoding: .utf8),
              let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop()
            throw HarnessError("the fake SMS provider did not start: \(child.log)")
        }
        self.port = port
    }

    func stop() { child.stop() }

    /// The requests it received, one JSON object each.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

extension Workspace {
    /// Configuration with the outbox for email and the given SMS providers (YAML list items).
    func writeSMSConfig(providers: [String], tokenFile: String) throws {
        let yaml = """
            spool: \(spool)
            journal: \(journal)
            templates: \(E2E.templates)
            quiet_hours: { enabled: false }
            email: { from: "Debiteurenbeheer <debiteuren@voorbeeld.nl>", transport: outbox, outbox: \(root)/outbox }
            company: { name: Voorbeeld B.V., trade_name: Voorbeeld, phone: 030-123 45 67, email: debiteuren@voorbeeld.nl }
            sms:
              sender: Voorbeeld
              max_parts: 3
              providers:
            \(providers.map { "    - \($0)" }.joined(separator: "\n"))
            delivery: { concurrency: 4, retry: { minimum_delay: 1s, maximum_delay: 2s, maximum_attempts: 3, jitter: 0 } }

            """
        _ = tokenFile
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }
}

enum SMSActions {
    static func sms(id: String, phone: String) -> [String: Any] {
        [
            "version": 1, "id": id, "channel": "sms", "stage": "herinnering", "segment": "consument", "tone": "vriendelijk",
            "recipient": ["name": "Joëlle de Vries", "phone": phone],
            "debtor": ["id": "D-\(id)", "name": "Joëlle de Vries", "type": "consumer", "contact": "mevrouw De Vries"],
            "invoices": [["number": "F2026-0815", "date": "2026-10-01", "due_date": "2026-10-31", "amount": "1234.56", "open": "1234.56"]],
            "payment": ["url": "https://betalen.voorbeeld.nl/p/F2026-0815", "reference": "F2026-0815"],
        ]
    }
}

@Suite("SMS end to end", .serialized)
struct SMSEndToEndTests {
    static let token = "e2e-T0KEN-2026"

    private func setUp(_ label: String, providers: (Int) -> [String]) async throws -> (Workspace, FakeSMSProvider) {
        let workspace = try Workspace(label)
        try Self.token.write(toFile: workspace.root + "/token", atomically: true, encoding: .utf8)
        let fake = try await FakeSMSProvider(in: workspace, token: Self.token)
        try workspace.writeSMSConfig(providers: providers(fake.port), tokenFile: workspace.root + "/token")
        return (workspace, fake)
    }

    @Test("an SMS for 06-12345678 goes to a MessageBird-format server with the right request and ends sent with the provider's id")
    func messageBird() async throws {
        let (workspace, fake) = try await setUp("sms-mb") { port in
            ["{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(port)\", token_file: token }"]
        }
        defer { fake.stop(); workspace.remove() }
        try workspace.drop(SMSActions.sms(id: "sms-1", phone: "06-12345678"))
        let run = try await workspace.runOnce()
        #expect(run.status == 0, "\(run.output)")
        #expect(workspace.files("sent") == ["sms-1.json"])

        let posts = fake.requests().filter { ($0["method"] as? String) == "POST" }
        #expect(posts.count == 1)
        let request = try #require(posts.first)
        #expect(request["path"] as? String == "/messages")
        let headers = (request["headers"] as? [String: Any]) ?? [:]
        let authorization = headers.first { $0.key.lowercased() == "authorization" }?.value as? String
        #expect(authorization == "AccessKey \(Self.token)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(((request["body"] as? String) ?? "").utf8)) as? [String: Any])
        #expect((body["recipients"] as? [Any])?.map { "\($0)" } == ["31612345678"])
        #expect(body["originator"] as? String == "Voorbeeld")
        #expect(body["reference"] as? String == "sms-1")
        let text = body["body"] as? String ?? ""
        #expect(text.contains("€ 1.234,56"))
        #expect(text.contains("https://betalen.voorbeeld.nl/p/F2026-0815"))
        #expect(text.contains("Beste mevrouw De Vries,"))

        let sent = try #require(workspace.events(for: "sms-1").last)
        #expect(sent.event == .sent)
        #expect(sent.provider == "primary")
        #expect(sent.recipient == "+31612345678")
        #expect(sent.messageID?.isEmpty == false)
        // The journal never carries the token.
        let journalText = (try? FileManager.default.contentsOfDirectory(atPath: workspace.journal))?
            .compactMap { try? String(contentsOfFile: workspace.journal + "/" + $0, encoding: .utf8) }.joined() ?? ""
        #expect(!journalText.contains(Self.token))
        #expect(!run.output.contains(Self.token))
    }

    @Test("an invalid-number answer fails the action at once, without trying the next provider")
    func invalidNumber() async throws {
        let (workspace, fake) = try await setUp("sms-invalid") { port in
            ["{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(port)\", token_file: token }",
             "{ name: backup, kind: spryng, url: \"http://127.0.0.1:\(port)\", token_file: token }"]
        }
        defer { fake.stop(); workspace.remove() }
        try workspace.drop(SMSActions.sms(id: "sms-bad", phone: "06-12345674"))
        _ = try await workspace.runOnce()
        #expect(workspace.files("failed") == ["sms-bad.json"])
        let spryng = fake.requests().filter { ($0["path"] as? String ?? "").hasPrefix("/v1/") }
        #expect(spryng.isEmpty)
        #expect(workspace.events(for: "sms-bad").last?.event == .failed)
    }

    @Test("a provider that refuses connections is failed over to the next, which sends it")
    func failover() async throws {
        let closed = try E2E.freePort()
        let (workspace, fake) = try await setUp("sms-failover") { port in
            ["{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(closed)\", token_file: token }",
             "{ name: backup, kind: spryng, url: \"http://127.0.0.1:\(port)\", token_file: token }"]
        }
        defer { fake.stop(); workspace.remove() }
        try workspace.drop(SMSActions.sms(id: "sms-fo", phone: "0612345670"))
        _ = try await workspace.runOnce()
        #expect(workspace.files("sent") == ["sms-fo.json"])
        #expect(workspace.events(for: "sms-fo").last?.provider == "backup")
    }

    @Test("a 429 with Retry-After defers the action with reason retry; it is never lost")
    func rateLimited() async throws {
        let (workspace, fake) = try await setUp("sms-429") { port in
            ["{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(port)\", token_file: token }"]
        }
        defer { fake.stop(); workspace.remove() }
        try workspace.drop(SMSActions.sms(id: "sms-429", phone: "06-12345671"))
        _ = try await workspace.runOnce()
        #expect(workspace.files("deferred") == ["sms-429.json"])
        let deferred = try #require(workspace.events(for: "sms-429").last)
        #expect(deferred.event == .deferred && deferred.reason == "retry" && deferred.code == 429)
        let wait = (deferred.nextAttempt ?? .distantPast).timeIntervalSince(deferred.ts)
        #expect(wait >= 1.9, "Retry-After: 2 is honoured")
    }

    @Test("render explains an SMS: encoding, character count and parts")
    func render() async throws {
        let (workspace, fake) = try await setUp("sms-render") { port in
            ["{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(port)\", token_file: token }"]
        }
        defer { fake.stop(); workspace.remove() }
        let file = workspace.root + "/action.json"
        try JSONSerialization.data(withJSONObject: SMSActions.sms(id: "r1", phone: "06-12345678")).write(to: URL(fileURLWithPath: file))
        let output = workspace.root + "/render.txt"
        let child = try Child(name: "koerier render", executable: try E2E.koerierBinary(),
                              arguments: ["render", "--config", workspace.configPath, file], logPath: output)
        let result = await child.waitForExit(timeout: 30)
        #expect(result?.status == 0)
        let text = child.log
        #expect(text.contains("Encoding: GSM-7"))
        #expect(text.contains("Parts: 2 of at most 3"))
        #expect(text.contains("Characters: "))
        #expect(text.contains("Bel 030-123 45 67."))
        #expect(fake.requests().isEmpty, "render sends nothing")
    }
}

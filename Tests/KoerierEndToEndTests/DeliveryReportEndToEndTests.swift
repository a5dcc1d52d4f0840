import Foundation
import Testing
@testable import KoerierCore

/// Runs a helper (python or curl) to its end and returns its standard output, trimmed, and its exit status.
private func run(_ executable: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), process.terminationStatus)
}

/// `GET` with curl: (status, body).
private func get(_ url: String) throws -> (status: Int, body: String) {
    let result = try run("/usr/bin/curl", ["-s", "--max-time", "10", "-w", "\n%{http_code}", url])
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
    // The body's own final line end is dropped; a one-line answer has no other.
    var body = lines.dropLast().joined(separator: "\n")
    if body.hasSuffix("\n") { body.removeLast() }
    return (Int(lines.last ?? "") ?? 0, body)
}

@Suite("Delivery reports end to end", .serialized)
struct DeliveryReportEndToEndTests {
    static let token = "e2e-T0KEN-2026"
    static let reportSecret = "report-secret-0123456789abcdef"
    static let publicURL = "https://koerier.test"
    static var client: String { E2E.repoRoot + "/Tests/Support/dlr_client.py" }

    /// A daemon with one SMS provider of `kind` and the listener on a free port of 127.0.0.1.
    private func start(_ label: String, provider: (Int) -> String) async throws -> (Workspace, FakeSMSProvider, Child, Int) {
        let workspace = try Workspace(label)
        try Self.token.write(toFile: workspace.root + "/token", atomically: true, encoding: .utf8)
        try Self.reportSecret.write(toFile: workspace.root + "/report-secret", atomically: true, encoding: .utf8)
        let fake = try await FakeSMSProvider(in: workspace, token: Self.token)
        try workspace.writeSMSConfig(providers: [provider(fake.port)], tokenFile: workspace.root + "/token")
        let port = try E2E.freePort()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: workspace.configPath))
        handle.seekToEndOfFile()
        handle.write(Data("http: { listen: \"127.0.0.1:\(port)\", public_url: \"\(Self.publicURL)\" }\n".utf8))
        try handle.close()
        let daemon = try workspace.startDaemon()
        let up = await E2E.waitUntil(timeout: 30) { ((try? get("http://127.0.0.1:\(port)/readyz"))?.status == 200) || !daemon.isRunning }
        guard up, daemon.isRunning else {
            daemon.stop(); fake.stop()
            throw HarnessError("the daemon's listener did not become ready: \(daemon.log.suffix(3000))")
        }
        return (workspace, fake, daemon, port)
    }

    private func post(port: Int, kind: String, name: String, secret: String, messageID: String, reference: String, status: String, forge: Bool) throws -> Int {
        var arguments = [Self.client, "report", "--listen", "http://127.0.0.1:\(port)", "--public-url", Self.publicURL, "--name", name,
                         "--kind", kind, "--secret", secret, "--message-id", messageID, "--reference", reference, "--status", status]
        if forge { arguments.append("--forge") }
        return Int(try run(E2E.python, arguments).output) ?? 0
    }

    @Test("a signed report in each provider's format marks the SMS once; a forged one is 403 and a repeat adds nothing", arguments: [
        ("messagebird", "", "delivered"),
        ("twilio", ", account: AC123", "undelivered"),
        ("vonage", ", account: key123", "delivered"),
        ("cm", "", "undelivered"),
        ("spryng", "", "delivered"),
        ("http", ", path: /generic/send, headers: { Authorization: \"Bearer {{token}}\" }, id_path: id", "delivered"),
    ])
    func providerReport(_ kind: String, _ extra: String, _ status: String) async throws {
        let name = "p-" + kind
        let (workspace, fake, daemon, port) = try await start("dlr-\(kind)") { fakePort in
            "{ name: \(name), kind: \(kind), url: \"http://127.0.0.1:\(fakePort)\", token_file: token, report_secret_file: report-secret\(extra) }"
        }
        defer { daemon.stop(); fake.stop(); workspace.remove() }
        let id = "dlr-\(kind)-1"
        try workspace.drop(SMSActions.sms(id: id, phone: "06-12345678"))
        let sentSeen = await E2E.waitUntil(timeout: 30) { workspace.events(for: id).contains { $0.event == .sent } }
        #expect(sentSeen, "\(daemon.log.suffix(3000))")
        let sent = try #require(workspace.events(for: id).first { $0.event == .sent })
        let secret = kind == "twilio" ? Self.token : Self.reportSecret
        let expected: JournalEvent.Kind = status == "delivered" ? .delivered : .undelivered
        func feedback() -> [JournalEvent] { workspace.events(for: id).filter { $0.event == .delivered || $0.event == .undelivered } }

        let forged = try post(port: port, kind: kind, name: name, secret: secret, messageID: sent.messageID ?? "", reference: id, status: status, forge: true)
        #expect(forged == 403)
        #expect(feedback().isEmpty)

        let first = try post(port: port, kind: kind, name: name, secret: secret, messageID: sent.messageID ?? "", reference: id, status: status, forge: false)
        #expect(first == 200, "\(daemon.log.suffix(2000))")
        // 2xx is given only once the event is durable: it is in the journal now.
        #expect(feedback().map(\.event) == [expected])

        let repeated = try post(port: port, kind: kind, name: name, secret: secret, messageID: sent.messageID ?? "", reference: id, status: status, forge: false)
        #expect(repeated == 200)
        #expect(feedback().map(\.event) == [expected])
        #expect(!daemon.log.contains(Self.reportSecret))
    }

    @Test("/livez answers, /readyz goes 503 with a reason while the journal cannot be written, and /metrics parses as Prometheus text")
    func readinessAndMetrics() async throws {
        let (workspace, fake, daemon, port) = try await start("dlr-ready") { fakePort in
            "{ name: primary, kind: messagebird, url: \"http://127.0.0.1:\(fakePort)\", token_file: token, report_secret_file: report-secret }"
        }
        defer { daemon.stop(); fake.stop(); workspace.remove() }
        #expect(try get("http://127.0.0.1:\(port)/livez").status == 200)
        #expect(try get("http://127.0.0.1:\(port)/readyz").status == 200)

        let day = workspace.journal + "/\(RFC3339.utcDay(Date())).jsonl"
        let moved = day + ".moved"
        if FileManager.default.fileExists(atPath: day) { try FileManager.default.moveItem(atPath: day, toPath: moved) }
        try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: false)
        let broken = try get("http://127.0.0.1:\(port)/readyz")
        #expect(broken.status == 503)
        #expect(broken.body.hasPrefix("not ready: "))
        #expect(!broken.body.contains("\n"))
        try FileManager.default.removeItem(atPath: day)
        if FileManager.default.fileExists(atPath: moved) { try FileManager.default.moveItem(atPath: moved, toPath: day) }
        #expect(try get("http://127.0.0.1:\(port)/readyz").status == 200)

        // One SMS sent, so the send latency and attempt metrics exist; one forged report for the failure counter.
        try workspace.drop(SMSActions.sms(id: "metrics-1", phone: "06-12345678"))
        #expect(await E2E.waitUntil(timeout: 30) { workspace.events(for: "metrics-1").contains { $0.event == .sent } })
        _ = try post(port: port, kind: "messagebird", name: "primary", secret: Self.reportSecret, messageID: "x", reference: "x", status: "delivered", forge: true)
        let parsed = try run(E2E.python, [Self.client, "metrics", "--listen", "http://127.0.0.1:\(port)"])
        if parsed.status == 3 {
            print("SKIPPED the Prometheus parser check: python3's prometheus_client is not installed (scripts/test installs it)")
        } else {
            #expect(parsed.status == 0, "prometheus_client could not parse /metrics")
            let families = Set(parsed.output.split(separator: " ").map(String.init))
            for family in ["koerier_events", "koerier_journal_broken", "koerier_delivery_reports", "koerier_report_auth_failures", "koerier_disk_free_bytes",
                           "koerier_send_duration_seconds", "koerier_attempts", "koerier_provider_paused", "koerier_oldest_waiting_action_seconds"] {
                #expect(families.contains(family), "\(family) missing from \(families.sorted())")
            }
        }
    }
}

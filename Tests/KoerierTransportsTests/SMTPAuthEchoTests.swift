import Foundation
@testable import KoerierCore
import Logging
import Testing
@testable import KoerierTransports

// SMTPTransport against a real relay on loopback (Tests/Support/smtp_server.py --auth-echo) that echoes the AUTH
// exchange in its replies: the outcome's detail and every log line must keep no credential in any form.

private let username = "koerier-relay"
private let password = "Geheim-Wachtwoord-42!"

/// Tests/Support/smtp_server.py in a child process on 127.0.0.1.
private final class EchoingRelay: Sendable {
    let process: Process
    let directory: String
    let port: Int

    private init(process: Process, directory: String, port: Int) {
        self.process = process
        self.directory = directory
        self.port = port
    }

    static func start(_ options: [String]) async throws -> EchoingRelay {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/smtp_server.py").path
        let python = "/usr/bin/python3"  // apt's python3, which has aiosmtpd
        guard FileManager.default.isExecutableFile(atPath: python) else { throw FakeError("\(python) is missing") }
        let directory = NSTemporaryDirectory() + "koerier-relay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/messages", withIntermediateDirectories: true)
        let portFile = directory + "/port"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--dir", directory + "/messages", "--port-file", portFile] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return EchoingRelay(process: process, directory: directory, port: port)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
        throw FakeError("smtp_server.py did not start")
    }

    func stop() {
        // SIGKILL: a child started from a Swift concurrency thread may have SIGTERM blocked.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// SMTP settings for the relay on `port`, loaded the way the daemon loads them.
private func smtpSettings(port: Int) throws -> Configuration.SMTPSettings {
    try loadSMTPSettings("""
      smtp:
        url: smtp://127.0.0.1:\(port)
        tls: none
        username: \(username)
        password_env: KOERIER_TEST_SMTP_PASSWORD
        timeout: 20
    """, environment: ["KOERIER_TEST_SMTP_PASSWORD": password])
}

/// `email.smtp` from a configuration file holding `smtpYAML` (the lines under `email:`), loaded the way the daemon
/// loads it.
func loadSMTPSettings(_ smtpYAML: String, environment: [String: String] = [:]) throws -> Configuration.SMTPSettings {
    let folder = NSTemporaryDirectory() + "koerier-smtp-config-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let yaml = """
    email:
      from: "Debiteurenbeheer <debiteuren@voorbeeld.nl>"
      transport: smtp
    \(smtpYAML)
    """
    try yaml.write(toFile: folder + "/koerier.yaml", atomically: true, encoding: .utf8)
    let configuration = try Configuration.load(file: folder + "/koerier.yaml", environment: environment)
    return try #require(configuration.email.smtp)
}

private func message() -> EmailMessage {
    let text = "From: debiteuren@voorbeeld.nl\r\nTo: kees@example.nl\r\nSubject: Herinnering\r\nMessage-ID: <koerier.act-1@voorbeeld.nl>\r\n\r\nFactuur F1 staat open.\r\n"
    return EmailMessage(actionID: "act-1", envelopeFrom: "debiteuren@voorbeeld.nl", recipient: "kees@example.nl",
                        messageID: "<koerier.act-1@voorbeeld.nl>", bytes: Array(text.utf8))
}

private func detail(_ outcome: DeliveryOutcome) -> String {
    switch outcome {
    case .accepted(_, let detail, _), .temporary(_, let detail, _), .permanent(_, let detail), .unknown(let detail): return detail
    }
}

@Suite("SMTP credentials against an echoing relay", .serialized)
struct SMTPAuthEchoTests {
    @Test("a relay that refuses the login and echoes it: the detail and the logs hold no credential",
          arguments: ["PLAIN", "LOGIN"])
    func refusedLogin(_ mechanism: String) async throws {
        let relay = try await EchoingRelay.start(["--auth-echo", "reject", "--auth-mechanisms", mechanism])
        defer { relay.stop() }
        let logs = LogRecorder()
        let transport = try SMTPTransport(settings: try smtpSettings(port: relay.port),
                                          logger: Logger(label: "koerier.test.smtp") { _ in RecordingLogHandler(recorder: logs) })
        let outcome = await transport.send(message())
        await transport.shutdown()

        guard case .temporary(let code, let text, _) = outcome else {
            Issue.record("expected a temporary authentication failure, got \(outcome)")
            return
        }
        #expect(code == 535)
        // The relay's reply is kept, with the echoed part cut out.
        #expect(text.hasPrefix("authentication failed: 535 5.7.8 Authentication failed: AUTH [redacted]"), "\(text)")
        #expect(!holdsCredential(text), "\(text)")
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries {
            #expect(!holdsCredential(entry.message) && !entry.metadata.values.contains(where: holdsCredential), "\(entry)")
        }
    }

    @Test("a relay that takes the login and echoes it in every reply: the accepted detail holds no credential",
          arguments: ["PLAIN", "LOGIN"])
    func acceptedLogin(_ mechanism: String) async throws {
        let relay = try await EchoingRelay.start(["--auth-echo", "accept", "--auth-mechanisms", mechanism])
        defer { relay.stop() }
        let transport = try SMTPTransport(settings: try smtpSettings(port: relay.port),
                                          logger: Logger(label: "koerier.test.smtp") { _ in SwiftLogNoOpLogHandler() })
        let outcome = await transport.send(message())
        await transport.shutdown()

        guard case .accepted(let code, let text, _) = outcome else {
            Issue.record("expected the message to be accepted, got \(outcome)")
            return
        }
        #expect(code == 250)
        #expect(text.hasPrefix("250 2.0.0 Ok: queued as Q"), "\(text)")
        #expect(text.hasSuffix("for [redacted]"), "the relay echoed the login here: \(text)")
        #expect(!holdsCredential(text), "\(text)")
        #expect(!holdsCredential(detail(outcome)))
    }
}

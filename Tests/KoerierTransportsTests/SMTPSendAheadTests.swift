import Foundation
@testable import KoerierCore
import Logging
import Synchronization
import Testing
@testable import KoerierTransports

/// Postfix's smtp-sink on a free port of 127.0.0.1, for as long as the test runs.
private struct SMTPSink {
    let process: Process
    let port: Int

    static func start() async throws -> SMTPSink {
        let port = try closedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
        process.arguments = (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(port)", "64"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<250 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var target = sockaddr_in()
            target.sin_family = sa_family_t(AF_INET)
            target.sin_port = in_port_t(UInt16(port).bigEndian)
            target.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(client)
            // Connected to our sink, not to another test's server that took the port first.
            if connected == 0 && process.isRunning { return SMTPSink(process: process, port: port) }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw FakeError("smtp-sink did not start")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

private func settings(port: Int, connections: Int) throws -> Configuration.SMTPSettings {
    try loadSMTPSettings("""
      smtp: { url: "smtp://127.0.0.1:\(port)", tls: none, connections: \(connections), timeout: 20 }
    """)
}

private func message(_ index: Int) -> EmailMessage {
    let id = "ahead-\(index)"
    let text = "From: debiteuren@voorbeeld.nl\r\nTo: klant@example.nl\r\nSubject: Herinnering\r\nMessage-ID: <koerier.\(id)@voorbeeld.nl>\r\n\r\nFactuur F1 staat open.\r\n"
    return EmailMessage(actionID: id, envelopeFrom: "debiteuren@voorbeeld.nl", recipient: "klant@example.nl",
                        messageID: "<koerier.\(id)@voorbeeld.nl>", bytes: Array(text.utf8))
}

/// Counts permits granted whose send has not returned, and the most at once.
private final class Outstanding: Sendable {
    let state = Mutex((now: 0, most: 0, accepted: 0))
}

@Suite("SMTP send-ahead against smtp-sink", .serialized)
struct SMTPSendAheadTests {
    /// The transport bounds permits whose transfer is not over by `send_ahead + connections`; a connection freed by an
    /// answer may take its next permit before the caller has seen (journalled) that answer, so the caller can count one
    /// more per connection. Without the line's bound all 40 would hold a permit at once.
    @Test("40 sends at once over 2 connections: at most send_ahead + 2 x connections hold a permit without a recorded answer",
          arguments: [(sendAhead: 3, bound: 7, least: 3), (sendAhead: 0, bound: 4, least: 1)])
    func inDoubtBound(sendAhead: Int, bound: Int, least: Int) async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var logger = Logger(label: "koerier.test.send-ahead")
        logger.logLevel = .critical
        let transport = try SMTPTransport(settings: try settings(port: sink.port, connections: 2), logger: logger, sendAhead: sendAhead)
        // Permits granted whose send has not returned: what a crash at that moment would leave in doubt.
        let outstanding = Outstanding()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let outcome = await transport.send(message(index)) {
                        outstanding.state.withLock { state in
                            state.now += 1
                            state.most = max(state.most, state.now)
                        }
                        // Stands in for the journal's fsync.
                        try? await Task.sleep(for: .milliseconds(2))
                        return true
                    }
                    outstanding.state.withLock { state in
                        state.now -= 1
                        if case .accepted = outcome { state.accepted += 1 }
                    }
                }
            }
        }
        await transport.shutdown()
        let result = outstanding.state.withLock { $0 }
        #expect(result.accepted == 40)
        #expect(result.most <= bound, "\(result.most) permits out at once")
        // With a line, its first places fill at once (their permits are granted before any transfer ends): more
        // permits out than connections shows the sends ahead really wait with theirs.
        #expect(result.most >= least, "\(result.most) permits out at once: the line never filled")
    }

    @Test("a refused permit sends nothing and leaves the line free for the next message", arguments: [3, 0])
    func refusedPermit(sendAhead: Int) async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var logger = Logger(label: "koerier.test.send-ahead")
        logger.logLevel = .critical
        let transport = try SMTPTransport(settings: try settings(port: sink.port, connections: 1), logger: logger, sendAhead: sendAhead)
        for index in 0..<5 {
            let refused = await transport.send(message(index)) { false }
            #expect(refused == .withheld)
        }
        let accepted = await transport.send(message(9)) { true }
        await transport.shutdown()
        guard case .accepted = accepted else {
            Issue.record("expected the message after the refusals to go out, got \(accepted)")
            return
        }
    }
}

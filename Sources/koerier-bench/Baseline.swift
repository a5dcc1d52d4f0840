import Curl
import Foundation

/// The raw libcurl baseline: the same transfers through one curl multi handle with the same connection
/// count, but no spool, no parsing, no templates and no journal. It runs in a child process of its own
/// (`koerier-bench baseline-smtp|baseline-http`), so it is measured exactly like koerier: wall clock from
/// spawn to exit, CPU and peak memory from wait4.
enum Baseline {
    /// Sends `count` copies of `message` to the SMTP relay; throws when any transfer fails.
    static func smtp(port: UInt16, count: Int, connections: Int, message: [UInt8]) async throws {
        guard let driver = CurlMultiDriver(maxHostConnections: connections, name: "bench-smtp") else { throw BenchError("no curl") }
        defer { driver.shutdown() }
        return try await run(count: count, inFlight: connections * 8) { index, easy in
            var request = CurlRequest(url: "smtp://127.0.0.1:\(port)")
            request.mailFrom = "debiteuren@voorbeeld.nl"
            request.mailRecipients = ["debiteur\(index)@example.nl"]
            request.body = message
            request.tls = .none
            easy.configure(request)
            return await driver.perform(easy)
        }
    }

    /// Posts `count` MessageBird-style requests to the HTTP sink with keep-alive; throws when any transfer fails.
    static func http(port: UInt16, count: Int, connections: Int) async throws {
        guard let driver = CurlMultiDriver(maxHostConnections: connections, name: "bench-http") else { throw BenchError("no curl") }
        defer { driver.shutdown() }
        return try await run(count: count, inFlight: connections * 4) { index, easy in
            var request = CurlRequest(url: "http://127.0.0.1:\(port)/messages")
            request.method = "POST"
            request.headers = ["Authorization: AccessKey bench", "Content-Type: application/json", "Accept: application/json"]
            request.body = Array("{\"recipients\":[\"31612\(String(format: "%06d", index % 1_000_000))\"],\"originator\":\"Voorbeeld\",\"body\":\"Beste klant, factuur F2026-\(index) van EUR 1.234,56 staat nog open. Betaal via https://betalen.voorbeeld.nl/p/\(index)\",\"reference\":\"bench-sms-\(index)\"}".utf8)
            easy.configure(request)
            return await driver.perform(easy)
        }
    }

    private static func run(count: Int, inFlight: Int, _ transfer: @escaping @Sendable (Int, CurlEasy) async -> CurlResponse) async throws {
        let failures = await withTaskGroup(of: Int.self) { group -> Int in
            let lanes = max(1, min(inFlight, count))
            for lane in 0..<lanes {
                group.addTask {
                    guard let easy = CurlEasy() else { return count }
                    var failed = 0
                    var index = lane
                    while index < count {
                        let response = await transfer(index, easy)
                        if response.error != nil { failed += 1 }
                        index += lanes
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        if failures > 0 { throw BenchError("baseline: \(failures) of \(count) transfers failed") }
    }

    /// A message of realistic size (about what Koerier renders for a reminder: text + HTML, quoted-printable).
    static func sampleMessage() -> [UInt8] {
        var text = "Date: Sun, 22 Nov 2026 09:30:00 +0100\r\nFrom: \"Debiteurenbeheer Voorbeeld B.V.\" <debiteuren@voorbeeld.nl>\r\n"
        text += "To: \"Debiteur\" <debiteur@example.nl>\r\nSubject: Herinnering: factuur F2026-1 staat nog open\r\n"
        text += "Message-ID: <koerier.bench@voorbeeld.nl>\r\nX-Koerier-Action: bench\r\nMIME-Version: 1.0\r\n"
        text += "Auto-Submitted: auto-generated\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        let line = "Wij hebben de betaling van factuur F2026-1 van =E2=82=AC 1.234,56 nog niet ontvangen.\r\n"
        while text.utf8.count < 9_000 { text += line }
        return Array(text.utf8)
    }
}

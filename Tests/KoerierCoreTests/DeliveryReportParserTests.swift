import Foundation
import Testing
@testable import KoerierCore

/// A saved message to the bounce address and what the parser must make of it.
struct BounceSample: Sendable, CustomTestStringConvertible {
    let file: String
    let expected: DeliveryReportParser.Parsed
    var testDescription: String { file }
}

private func fixture(_ name: String) throws -> [UInt8] {
    let path = TestSupport.packageRoot + "/Tests/Bounces/" + name
    return try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, "missing fixture \(path)")
}

private let bounceSamples: [BounceSample] = [
    BounceSample(file: "postfix-5.1.1.eml", expected: .deliveryStatus([.init(
        action: "failed", status: "5.1.1",
        diagnostic: "smtp; 550 5.1.1 <jan@klant.example>: Recipient address rejected: User unknown in virtual mailbox table",
        finalRecipient: "jan@klant.example")])),
    BounceSample(file: "exchange-5.4.1.eml", expected: .deliveryStatus([.init(
        action: "failed", status: "5.4.1",
        diagnostic: "smtp;550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",
        finalRecipient: "piet@klant.example")])),
    BounceSample(file: "global-5.1.10.eml", expected: .deliveryStatus([.init(
        action: "failed", status: "5.1.10", diagnostic: "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; onbekende ontvanger",
        finalRecipient: "jür@klänt.example")])),
    BounceSample(file: "delayed.eml", expected: .deliveryStatus([.init(
        action: "delayed", status: "4.4.1",
        diagnostic: "X-Postfix; connect to mx.klant.example[192.0.2.25]:25: Connection timed out", finalRecipient: "jan@klant.example")])),
    BounceSample(file: "arf-abuse.eml", expected: .feedback(type: "abuse", originalMailFrom: "<@@VERP@@>")),
    BounceSample(file: "out-of-office.eml", expected: .other(why: "an automatic reply (Auto-Submitted: auto-replied), not a report")),
    BounceSample(file: "junk.eml", expected: .other(why: "not a delivery status notification or feedback report")),
]

@Suite("DeliveryReportParser")
struct DeliveryReportParserTests {
    @Test("saved reports, replies and junk are read as what they are", arguments: bounceSamples)
    func saved(_ sample: BounceSample) throws {
        #expect(DeliveryReportParser.parse(try fixture(sample.file)[...]) == sample.expected)
    }

    @Test("a Postfix DSN with CRLF line ends reads the same")
    func crlf() throws {
        let lf = try fixture("postfix-5.1.1.eml")
        var crlf: [UInt8] = []
        for byte in lf {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        #expect(DeliveryReportParser.parse(crlf[...]) == bounceSamples[0].expected)
    }

    @Test("status codes are range-checked", arguments: [
        ("5.1.1", "5.1.1"), ("4.4.7", "4.4.7"), ("2.0.0", "2.0.0"), ("5.1.10 (comment)", "5.1.10"), ("5.001.1", "5.1.1"),
        ("9.1.1", nil), ("5.1", nil), ("5.1.1.1", nil), ("5.1.1000", nil), ("5.-1.1", nil), ("5..1", nil),
        ("5.1.99999999999999999999", nil), ("5.١.١", nil), ("", nil), ("abc", nil),
    ] as [(String, String?)])
    func statusCodes(_ text: String, _ expected: String?) {
        #expect(DeliveryReportParser.status(text) == expected)
    }

    @Test("a report part without a closing boundary is still read")
    func unterminated() throws {
        let text = String(decoding: try fixture("delayed.eml"), as: UTF8.self).replacingOccurrences(of: "--D1/x--", with: "")
        guard case .deliveryStatus(let recipients) = DeliveryReportParser.parse(Array(text.utf8)[...]) else {
            Issue.record("not read")
            return
        }
        #expect(recipients.first?.status == "4.4.1")
    }

    @Test("hostile messages are bounded and come out as nothing", arguments: HostileMessage.all)
    func hostile(_ message: HostileMessage) {
        let parsed = DeliveryReportParser.parse(message.bytes[...])
        if case .deliveryStatus(let recipients) = parsed {
            #expect(recipients.count <= DeliveryReportParser.maximumRecipients)
            #expect(recipients.allSatisfy { $0.status == nil || DeliveryReportParser.status($0.status ?? "") != nil })
            #expect(message.mayBeReport, "\(parsed)")
        }
    }

    @Test("a thousand recipient blocks are capped")
    func manyRecipients() {
        var text = "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
        for index in 0..<1000 { text += "Final-Recipient: rfc822; r\(index)@x.example\nAction: failed\nStatus: 5.1.1\n\n" }
        text += "--b--\n"
        guard case .deliveryStatus(let recipients) = DeliveryReportParser.parse(Array(text.utf8)[...]) else {
            Issue.record("not read")
            return
        }
        #expect(recipients.count == DeliveryReportParser.maximumRecipients)
    }

    @Test("a report nested deeper than the limit is not looked for")
    func deepNesting() {
        let report = "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nAction: failed\nStatus: 5.1.1\n--r--\n"
        func nested(_ depth: Int) -> String {
            var text = report
            for level in 0..<depth { text = "Content-Type: multipart/mixed; boundary=n\(level)\n\n--n\(level)\n" + text + "\n--n\(level)--\n" }
            return text
        }
        #expect(DeliveryReportParser.parse(Array(nested(2).utf8)[...]) != .other(why: "not a delivery status notification or feedback report"))
        #expect(DeliveryReportParser.parse(Array(nested(200).utf8)[...]) == .other(why: "not a delivery status notification or feedback report"))
    }
}

/// Inputs meant to hurt: each must parse quickly to a bounded value.
struct HostileMessage: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    var mayBeReport = false
    var testDescription: String { label }

    static let all: [HostileMessage] = {
        let reportHead = "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        return [
            HostileMessage(label: "empty", bytes: []),
            HostileMessage(label: "only a newline", bytes: [0x0A]),
            HostileMessage(label: "1 MiB header line", bytes: Array(("X-Big: " + String(repeating: "a", count: 1 << 20) + "\n\nbody").utf8)),
            HostileMessage(label: "100,000 header fields", bytes: Array((String(repeating: "X-A: b\n", count: 100_000) + "\n").utf8)),
            HostileMessage(label: "a folded header of a million lines", bytes: Array(("Subject: a\n" + String(repeating: " b\n", count: 1_000_000)).utf8)),
            HostileMessage(label: "report without boundary", bytes: Array("Content-Type: multipart/report; report-type=delivery-status\n\nAction: failed\nStatus: 5.1.1\n".utf8)),
            HostileMessage(label: "boundary never used", bytes: Array((reportHead + "Action: failed\nStatus: 5.1.1\n").utf8)),
            HostileMessage(label: "empty boundary", bytes: Array("Content-Type: multipart/report; report-type=delivery-status; boundary=\"\"\n\n--\n\n".utf8)),
            HostileMessage(label: "boundary of 5000 characters", bytes: Array(("Content-Type: multipart/report; report-type=delivery-status; boundary=" + String(repeating: "x", count: 5000) + "\n\n").utf8)),
            HostileMessage(label: "100,000 empty parts", bytes: Array((reportHead + String(repeating: "--b\n", count: 100_000)).utf8)),
            HostileMessage(label: "a status of absurd numbers", bytes: Array((reportHead + "--b\nContent-Type: message/delivery-status\n\nX: y\n\nAction: failed\nStatus: 5.99999999999999999999999.1\n--b--\n").utf8), mayBeReport: true),
            HostileMessage(label: "invalid UTF-8 and NUL bytes", bytes: Array(reportHead.utf8) + [0xFF, 0xFE, 0x00, 0x0A, 0xC3, 0x28] + Array("--b\n".utf8)),
            HostileMessage(label: "base64 that is not base64", bytes: Array((reportHead + "--b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n!!!!****\n--b--\n").utf8), mayBeReport: true),
            HostileMessage(label: "quoted-printable ending in =", bytes: Array((reportHead + "--b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n\nStatus: 5.1.1=").utf8), mayBeReport: true),
        ]
    }()
}

@Suite("Feedback encodings")
struct FeedbackEncodingTests {
    @Test("a delivery-status part in base64 or quoted-printable is decoded before it is read", arguments: ["base64", "quoted-printable"])
    func encodedStatus(_ encoding: String) {
        let fields = "Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 mailbox vol=\n"
        let body = encoding == "base64"
            ? Data(fields.utf8).base64EncodedString(options: .lineLength76Characters)
            : fields.replacingOccurrences(of: "vol=", with: "vol=3D").replacingOccurrences(of: "Action", with: "Act=\nion")
        let text = "Content-Type: multipart/report; report-type=delivery-status; boundary=q\n\n--q\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: \(encoding)\n\n\(body)\n--q--\n"
        #expect(DeliveryReportParser.parse(Array(text.utf8)[...]) == .deliveryStatus([.init(
            action: "failed", status: "5.2.2", diagnostic: "smtp; 552 mailbox vol=", finalRecipient: "a@b.example")]))
    }

    @Test("a held report reads back as it was written", arguments: [
        FeedbackReport(source: "email", match: .init(actionID: "A-1"), report: .undelivered(code: "5.1.1", detail: "550 \"quoted\"\nline"), code: "5.1.1", detail: "d"),
        FeedbackReport(source: "primary", match: .init(reference: "ref-1", providerMessageID: "MB-1"), report: .delivered(part: "2"), code: "delivered", parts: 3),
        FeedbackReport(source: "twilio", match: .init(providerMessageID: "SM1"), report: .complained(detail: "abuse")),
        FeedbackReport(source: "x", match: .init(actionID: "Ü ✓"), report: .delayed),
    ])
    func heldRoundTrip(_ report: FeedbackReport) {
        let held = HeldReport(report: report, heldAt: Date(timeIntervalSince1970: 1_795_000_000.123))
        #expect(HeldReport(bytes: held.encoded()) == held)
    }

    @Test("a held report file that is damaged or out of range is refused", arguments: [
        "", "{}", "not json", "{\"held_at\":\"2026-11-28T10:00:00.000Z\",\"source\":\"x\",\"report\":\"exploded\"}",
        "{\"held_at\":\"2026-11-28T10:00:00.000Z\",\"source\":\"x\",\"report\":\"delivered\",\"parts\":100000}",
        "{\"held_at\":\"yesterday\",\"source\":\"x\",\"report\":\"delivered\"}",
    ])
    func heldDamaged(_ text: String) {
        #expect(HeldReport(bytes: Array(text.utf8)) == nil)
    }
}

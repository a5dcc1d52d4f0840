import Crypto
import Foundation

/// The evidence of one action, as files a lawyer can attach: the message exactly as sent, its journal lines as
/// written, the relay's or provider's answers, the delivery status, a README, and a SHA-256 manifest of them all
/// (`sha256sum -c MANIFEST.sha256` checks it).
public struct ProofBundle: Sendable {
    /// File names and contents, in the order they are listed.
    public var files: [(name: String, bytes: [UInt8])]

    /// Why there is no proof to give.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Builds the bundle from the action's journal lines (oldest first) and the archived bytes of its `sent` event.
    public static func make(action: String, lines: [(event: JournalEvent, line: [UInt8])], message: [UInt8]) throws(Problem) -> ProofBundle {
        guard let sent = lines.last(where: { $0.event.event == .sent })?.event else {
            throw Problem(description: "action \(action) was never sent (see koerier journal --action \(action))")
        }
        guard let expected = sent.archiveSHA256 else {
            throw Problem(description: "the sent event of \(action) names no archived message (the archive was off when it was sent)")
        }
        let digest = Hex.encode(SHA256.hash(data: message))
        guard digest == expected else {
            throw Problem(description: "the archived bytes of \(action) have SHA-256 \(digest), but the journal names \(expected): the archive was altered")
        }
        let email = sent.channel != "sms"
        let messageName = email ? "message.eml" : "sms-request.txt"
        var files: [(name: String, bytes: [UInt8])] = []
        files.append((messageName, message))
        files.append(("journal.jsonl", lines.flatMap { $0.line + [0x0A] }))
        files.append(("answers.txt", Array(answers(lines.map(\.event)).utf8)))
        files.append(("status.txt", Array(status(lines.map(\.event)).utf8)))
        files.append(("README.txt", Array(readme(action: action, sent: sent, messageName: messageName).utf8)))
        let manifest = files.map { "\(Hex.encode(SHA256.hash(data: $0.bytes)))  \($0.name)\n" }.joined()
        files.append(("MANIFEST.sha256", Array(manifest.utf8)))
        return ProofBundle(files: files)
    }

    /// Every answer of a relay or provider, one per line.
    static func answers(_ events: [JournalEvent]) -> String {
        events.filter { $0.code != nil || $0.detail != nil }.map { event in
            let who = event.provider.map { " \($0)" } ?? ""
            let code = event.code.map { " \($0)" } ?? ""
            return "\(RFC3339.format(event.ts)) \(event.event.rawValue)\(who)\(code) \(event.detail ?? "")\n"
        }.joined()
    }

    /// The latest delivery status, in one line.
    static func status(_ events: [JournalEvent]) -> String {
        if let report = events.last(where: { $0.event.isDeliveryReport }) {
            let code = report.code.map { " \($0)" } ?? ""
            return "\(report.event.rawValue)\(code) at \(RFC3339.format(report.ts))\(report.detail.map { ": \($0)" } ?? "")\n"
        }
        guard let sent = events.last(where: { $0.event == .sent }) else { return "not sent\n" }
        return "sent at \(RFC3339.format(sent.ts)); no delivery report or bounce has been received since\n"
    }

    static func readme(action: String, sent: JournalEvent, messageName: String) -> String {
        """
        Bewijs van verzending / evidence of sending: action \(action)

        \(messageName)    the message exactly as it was handed to \(sent.provider ?? "the relay") on \(RFC3339.format(sent.ts))
                          (SHA-256 \(sent.archiveSHA256 ?? ""), as the journal's sent event records it)
        journal.jsonl     every journal line about this action, byte for byte as Koerier wrote them
        answers.txt       the relay's or provider's answers, one per attempt
        status.txt        the delivery status: a delivery report, a bounce, a complaint, or none
        MANIFEST.sha256   the SHA-256 of each file; check with: sha256sum -c MANIFEST.sha256

        """
    }
}

import Foundation

/// Reads a message sent to the bounce address: an RFC 3464 delivery status notification (also RFC 6533
/// `message/global-delivery-status`), an RFC 5965 feedback report (ARF), or anything else (an auto-reply, junk).
/// Pure: bytes in, a value out; every size and number is checked (see `MIMEPart.Limits`).
public enum DeliveryReportParser {
    /// What the message is.
    public enum Parsed: Sendable, Equatable {
        /// A delivery status notification with its per-recipient fields (at most `maximumRecipients`).
        case deliveryStatus([Recipient])
        /// A feedback report: the `Feedback-Type` and the envelope sender of the original message where given.
        case feedback(type: String, originalMailFrom: String?)
        /// Not a report: why, for the log.
        case other(why: String)
    }

    /// One recipient block of a DSN.
    public struct Recipient: Sendable, Equatable {
        /// `failed`, `delayed`, `delivered`, `relayed`, `expanded` (lower-case), or nil when absent or unknown.
        public var action: String?
        /// The `Status` code, checked: `class.subject.detail` with class 2, 4 or 5 and numbers of at most three digits.
        public var status: String?
        /// `Diagnostic-Code` as given (control characters removed, at most 500 characters).
        public var diagnostic: String?
        /// `Final-Recipient` without its address type.
        public var finalRecipient: String?

        /// A recipient block (tests build expected values with it).
        public init(action: String? = nil, status: String? = nil, diagnostic: String? = nil, finalRecipient: String? = nil) {
            self.action = action
            self.status = status
            self.diagnostic = diagnostic
            self.finalRecipient = finalRecipient
        }
    }

    static let maximumRecipients = 50
    static let actions: Set<String> = ["failed", "delayed", "delivered", "relayed", "expanded"]

    /// Parses one message.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> Parsed {
        let message = MIMEPart(bytes)
        if let found = findReport(message, depth: 0) { return found }
        if let auto = message.field("auto-submitted")?.lowercased(), auto != "no" {
            return .other(why: "an automatic reply (Auto-Submitted: \(clean(auto, limit: 40))), not a report")
        }
        if message.field("x-autoreply") != nil || message.field("x-autorespond") != nil
            || message.field("precedence").map({ ["auto_reply", "bulk", "junk", "list"].contains($0.lowercased()) }) == true {
            return .other(why: "an automatic reply, not a report")
        }
        return .other(why: "not a delivery status notification or feedback report")
    }

    /// Depth-first search for a `multipart/report`, bounded in depth (forwarders wrap reports in multipart/mixed).
    private static func findReport(_ part: MIMEPart, depth: Int) -> Parsed? {
        guard depth < MIMEPart.Limits.depth else { return nil }
        let type = part.contentType
        if type.type == "multipart/report" {
            let children = part.parts
            switch type.parameters["report-type"]?.lowercased() {
            case "delivery-status", "global-delivery-status":
                if let status = children.first(where: { ["message/delivery-status", "message/global-delivery-status"].contains($0.contentType.type) }) {
                    return .deliveryStatus(recipients(status.decodedBody))
                }
                return .other(why: "a delivery report without a message/delivery-status part")
            case "feedback-report":
                guard let report = children.first(where: { $0.contentType.type == "message/feedback-report" }) else {
                    return .other(why: "a feedback report without a message/feedback-report part")
                }
                let fields = MIMEPart(ArraySlice(report.decodedBody))
                let feedbackType = clean(fields.field("feedback-type") ?? "abuse", limit: 40).lowercased()
                var from = fields.field("original-mail-from")
                if from == nil, let original = children.first(where: { ["message/rfc822", "text/rfc822-headers", "message/rfc822-headers"].contains($0.contentType.type) }) {
                    from = MIMEPart(ArraySlice(original.decodedBody)).field("return-path")
                }
                return .feedback(type: feedbackType, originalMailFrom: from.map { clean($0, limit: 320) })
            default:
                return .other(why: "a report of another type (\(clean(type.parameters["report-type"] ?? "none", limit: 40)))")
            }
        }
        guard type.type.hasPrefix("multipart/") else { return nil }
        for child in part.parts {
            if let found = findReport(child, depth: depth + 1) { return found }
        }
        return nil
    }

    /// The per-recipient blocks of a `message/delivery-status` body (the first block is per-message).
    static func recipients(_ bytes: [UInt8]) -> [Recipient] {
        var result: [Recipient] = []
        var rest = ArraySlice(bytes.prefix(MIMEPart.Limits.headerBytes * 4))
        var first = true
        while !rest.isEmpty && result.count < maximumRecipients {
            // Skip blank lines between blocks.
            while let byte = rest.first, byte == 0x0A || byte == 0x0D { rest = rest.dropFirst() }
            if rest.isEmpty { break }
            let block = MIMEPart(rest)
            rest = block.body
            defer { first = false }
            if first && block.field("final-recipient") == nil && block.field("status") == nil { continue }
            guard block.field("final-recipient") != nil || block.field("status") != nil || block.field("action") != nil else { continue }
            var recipient = Recipient()
            if let action = block.field("action")?.lowercased(), actions.contains(action) { recipient.action = action }
            recipient.status = block.field("status").flatMap(status)
            recipient.diagnostic = block.field("diagnostic-code").map { clean($0, limit: 500) }
            if let final = block.field("final-recipient") {
                let address = final.split(separator: ";", maxSplits: 1).last.map(String.init) ?? final
                recipient.finalRecipient = clean(address.trimmingCharacters(in: .whitespaces), limit: 320)
            }
            result.append(recipient)
        }
        return result
    }

    /// A checked status code (RFC 3463: class "." subject "." detail), comments after it dropped; nil otherwise.
    static func status(_ value: String) -> String? {
        let code = value.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == "\t" }).first.map(String.init) ?? ""
        let numbers = code.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, ["2", "4", "5"].contains(numbers[0]),
              numbers.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let subject = Int(numbers[1]), let detail = Int(numbers[2]), (0...999).contains(subject), (0...999).contains(detail)
        else { return nil }
        return "\(numbers[0]).\(subject).\(detail)"
    }

    /// Control characters out, whitespace runs folded, cut to `limit` characters.
    static func clean(_ text: String, limit: Int) -> String {
        var out = ""
        var lastSpace = false
        for scalar in text.unicodeScalars.prefix(limit * 2) {
            let isSpace = scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " || (0x80..<0xA0).contains(scalar.value)
            if isSpace {
                if !lastSpace && !out.isEmpty { out.append(" ") }
                lastSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastSpace = false
            }
        }
        return String(out.trimmingCharacters(in: .whitespaces).prefix(limit))
    }
}

import Crypto
import Foundation

/// Builds the MIME message Koerier sends (not curl_mime, whose random boundary would change per attempt):
/// deterministic boundaries, RFC 2047 headers, quoted-printable bodies, base64 attachments, CRLF throughout.
public enum MIMEBuilder {
    /// The addresses and identity of one message.
    public struct Envelope: Sendable {
        public var fromName: String
        public var fromAddress: String
        public var toName: String
        public var toAddress: String
        public var replyToName: String?
        public var replyToAddress: String?
        public var actionID: String
        public var messageIDDomain: String
        public var date: Date
        public var timeZone: TimeZone
        /// Extra `X-` headers (name, value).
        public var extraHeaders: [(String, String)] = []

        public init(fromName: String, fromAddress: String, toName: String, toAddress: String, replyToName: String? = nil,
                    replyToAddress: String? = nil, actionID: String, messageIDDomain: String, date: Date, timeZone: TimeZone) {
            self.fromName = fromName
            self.fromAddress = fromAddress
            self.toName = toName
            self.toAddress = toAddress
            self.replyToName = replyToName
            self.replyToAddress = replyToAddress
            self.actionID = actionID
            self.messageIDDomain = messageIDDomain
            self.date = date
            self.timeZone = timeZone
        }
    }

    /// The Message-ID for an action: the same on every attempt, readable when the id allows.
    public static func messageID(actionID: String, domain: String) -> String {
        let isDotAtom = !actionID.hasPrefix(".") && !actionID.hasSuffix(".") && !actionID.contains("..")
        let local = isDotAtom ? "koerier.\(actionID)" : "koerier.h\(hexDigest(actionID).prefix(32))"
        return "<\(local)@\(domain)>"
    }

    /// Builds the whole message, straight into bytes: headers are short strings, each body is quoted-printable encoded
    /// byte by byte and appended to one message buffer reserved for the usual size (no strings for the parts).
    public static func build(envelope: Envelope, subject: String, text: String, html: String, attachments: [MailAttachment]) -> EmailMessage {
        let seed = hexDigest(envelope.actionID)
        let alternative = "=_koerier_alt_\(seed.prefix(24))"
        let mixed = "=_koerier_mix_\(seed.prefix(24))"
        let messageID = messageID(actionID: envelope.actionID, domain: envelope.messageIDDomain)

        var out: [UInt8] = []
        let attached = attachments.reduce(0) { $0 + $1.data.count / 3 * 4 + $1.data.count / 57 * 2 + 256 }
        // Room for what letters need: Dutch text grows a few percent in quoted-printable, HTML about a third (every
        // `=` of an attribute becomes `=3D`); beyond that the buffer grows as arrays do.
        out.reserveCapacity(1_024 + text.utf8.count * 11 / 10 + html.utf8.count * 14 / 10 + attached)
        func append(_ text: String) { out.append(contentsOf: text.utf8) }
        func header(_ name: String, _ value: String) {
            append(fold("\(name): \(value)"))
            append("\r\n")
        }
        header("Date", rfc5322Date(envelope.date, timeZone: envelope.timeZone))
        header("From", mailbox(envelope.fromName, envelope.fromAddress))
        header("To", mailbox(envelope.toName, envelope.toAddress))
        if let replyTo = envelope.replyToAddress {
            header("Reply-To", mailbox(envelope.replyToName ?? "", replyTo))
        }
        header("Subject", encodeUnstructured(subject))
        header("Message-ID", messageID)
        header("X-Koerier-Action", envelope.actionID)
        for (name, value) in envelope.extraHeaders { header(name, encodeUnstructured(value)) }
        header("MIME-Version", "1.0")
        header("Auto-Submitted", "auto-generated")

        if attachments.isEmpty {
            header("Content-Type", "multipart/alternative; boundary=\"\(alternative)\"")
            append("\r\n")
        } else {
            header("Content-Type", "multipart/mixed; boundary=\"\(mixed)\"")
            append("\r\n--\(mixed)\r\n")
            append("Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n")
        }
        append("--\(alternative)\r\n")
        append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
        quotedPrintable(text, into: &out)
        append("\r\n--\(alternative)\r\n")
        append("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
        quotedPrintable(html, into: &out)
        append("\r\n--\(alternative)--\r\n")
        if !attachments.isEmpty {
            for attachment in attachments {
                let name = encodeParameter(attachment.filename)
                append("--\(mixed)\r\n")
                append("Content-Type: \(attachment.contentType); name=\(name)\r\n")
                append("Content-Transfer-Encoding: base64\r\n")
                append("Content-Disposition: attachment; filename=\(name)\r\n\r\n")
                base64Lines(attachment.data, into: &out)
            }
            append("--\(mixed)--\r\n")
        }
        return EmailMessage(actionID: envelope.actionID, envelopeFrom: envelope.fromAddress, recipient: envelope.toAddress,
                            messageID: messageID, bytes: out)
    }

    // MARK: - Headers

    /// `"Name" <address>`, the name RFC 2047-encoded when not ASCII; CR/LF can never pass.
    static func mailbox(_ name: String, _ address: String) -> String {
        let cleanName = singleLine(name)
        let cleanAddress = singleLine(address).filter { $0 != "<" && $0 != ">" && $0 != " " }
        if cleanName.isEmpty { return "<\(cleanAddress)>" }
        if cleanName.unicodeScalars.allSatisfy({ $0.isASCII }) {
            let escaped = cleanName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(cleanAddress)>"
        }
        return "\(encodedWords(cleanName)) <\(cleanAddress)>"
    }

    /// An unstructured header value (Subject): ASCII as is, anything else as RFC 2047 encoded words.
    static func encodeUnstructured(_ value: String) -> String {
        let clean = singleLine(value)
        let foldable = !clean.split(separator: " ").contains { $0.utf8.count > 70 }
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) && !clean.contains("=?") && foldable { return clean }
        return encodedWords(clean)
    }

    /// A MIME parameter value: quoted ASCII, or RFC 2047 words in quotes (what mail clients read).
    static func encodeParameter(_ value: String) -> String {
        let clean = singleLine(value).replacingOccurrences(of: "\"", with: "'")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) { return "\"\(clean)\"" }
        return "\"\(encodedWords(clean))\""
    }

    /// `=?UTF-8?B?...?=` words of at most 75 characters, split between whole code points (so each word is valid
    /// UTF-8 on its own, even inside a long grapheme cluster), joined by folding space.
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if (chunk.count + bytes.count + 2) / 3 * 4 > 75 - 12 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Replaces every control character (CR, LF, TAB, ...) by a space: no header injection, ever.
    static func singleLine(_ value: String) -> String {
        let bytes = value.utf8
        if bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != 0xC2 && $0 != 0xE2 }) && bytes.first != 0x20 && bytes.last != 0x20 {
            return value  // nothing to replace or trim (0xC2/0xE2 lead bytes of U+0085 and U+2028/9 take the slow path)
        }
        return String(String.UnicodeScalarView(value.unicodeScalars.map {
            ($0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}") ? " " : $0
        })).trimmingCharacters(in: .whitespaces)
    }

    /// Folds a header line longer than 78 characters at spaces (lines already folded are kept).
    static func fold(_ line: String) -> String {
        var result: [String] = []
        if line.utf8.count <= 78 { return line }
        for physical in line.split(separator: "\r\n", omittingEmptySubsequences: false) {
            var rest = physical
            while rest.count > 78, let space = rest.prefix(78).lastIndex(of: " "), space > rest.startIndex {
                result.append(String(rest[..<space]))
                rest = rest[space...]
            }
            result.append(String(rest))
        }
        return result.joined(separator: "\r\n")
    }

    /// `Sun, 22 Nov 2026 09:30:00 +0100` in the given zone.
    static func rfc5322Date(_ date: Date, timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let dayNumber = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - dayNumber * 86_400
        let day = CalendarDate(dayNumber: dayNumber)
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return "\(weekdays[day.isoWeekday - 1]), \(day.day) \(months[day.month - 1]) \(day.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) "
            + "\(sign)\(two(magnitude / 3600))\(two(magnitude / 60 % 60))"
    }

    // MARK: - Bodies

    /// Quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76 characters.
    /// A leading dot is encoded too, so no transport's dot-stuffing can touch the text.
    public static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        quotedPrintable(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Quoted-printable of `text`, appended to `out` in one pass: CR, LF and CRLF all end a line (written as CRLF),
    /// line breaks at the end are dropped, and a space or tab that ends a line is encoded. Written through a pointer
    /// into room reserved for the worst case (every byte encoded, a soft break every 25 encoded bytes): the HTML part
    /// of a letter is tens of kilobytes, encoded byte by byte.
    static func quotedPrintable(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { input in
            var end = input.count
            while end > 0, input[end - 1] == 10 || input[end - 1] == 13 { end -= 1 }
            let worstCase = end * 3 + (end / 25 + 1) * 3 + end * 2
            let encoded = [UInt8](unsafeUninitializedCapacity: worstCase) { buffer, written in
                let hex: StaticString = "0123456789ABCDEF"
                let digits = hex.utf8Start
                var at = 0
                var column = 0
                var lineStart = true
                var index = 0
                while index < end {
                    let byte = input[index]
                    if byte == 10 || byte == 13 {
                        if byte == 13, index + 1 < end, input[index + 1] == 10 { index += 1 }
                        buffer[at] = 13
                        buffer[at + 1] = 10
                        at += 2
                        column = 0
                        lineStart = true
                        index += 1
                        continue
                    }
                    let isLast = index + 1 == end || input[index + 1] == 10 || input[index + 1] == 13
                    let plain = ((byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast))
                        && !(lineStart && byte == 46)
                    let width = plain ? 1 : 3
                    if column + width > 75 {
                        buffer[at] = 61
                        buffer[at + 1] = 13
                        buffer[at + 2] = 10
                        at += 3
                        column = 0
                    }
                    if plain {
                        buffer[at] = byte
                        at += 1
                    } else {
                        buffer[at] = 61
                        buffer[at + 1] = digits[Int(byte >> 4)]
                        buffer[at + 2] = digits[Int(byte & 15)]
                        at += 3
                    }
                    column += width
                    lineStart = false
                    index += 1
                }
                written = at
            }
            out.append(contentsOf: encoded)
        }
    }

    /// Base64 in lines of 76 characters, each ending in CRLF.
    static func base64Lines(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        base64Lines(data, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64 in lines of 76 characters, each ending in CRLF, appended to `out`.
    static func base64Lines(_ data: [UInt8], into out: inout [UInt8]) {
        let encoded = Array(Data(data).base64EncodedString().utf8)
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out.append(contentsOf: encoded[index..<end])
            out.append(13)
            out.append(10)
            index = end
        }
    }

    static func hexDigest(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }
}

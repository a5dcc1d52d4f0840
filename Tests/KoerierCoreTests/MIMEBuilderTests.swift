import Foundation
import Testing
@testable import KoerierCore

/// A small, independent MIME reader: enough to take apart what `MIMEBuilder` writes and check it.
struct ParsedMessage {
    /// Raw physical lines (split at CRLF, the CRLFs removed).
    let lines: [String]
    /// Unfolded header fields in order: (name, raw value).
    let headers: [(name: String, value: String)]
    /// Body lines after the first empty line.
    let bodyLines: [String]

    init(_ bytes: [UInt8]) throws {
        let text = try #require(String(validating: bytes, as: UTF8.self))
        var lines = text.components(separatedBy: "\r\n")
        #expect(lines.last == "", "the message must end with CRLF")
        lines.removeLast()
        self.lines = lines
        let blank = try #require(lines.firstIndex(of: ""), "no empty line between headers and body")
        var headers: [(String, String)] = []
        for line in lines[..<blank] {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                try #require(!headers.isEmpty, "a continuation line before any header")
                headers[headers.count - 1].1 += line
            } else {
                let colon = try #require(line.firstIndex(of: ":"), "header line without a colon: \(line)")
                let value = line[line.index(after: colon)...].drop { $0 == " " }
                headers.append((String(line[..<colon]), String(value)))
            }
        }
        self.headers = headers.map { ($0.0, String($0.1.drop { $0 == " " || $0 == "\t" })) }
        self.bodyLines = Array(lines[(blank + 1)...])
    }

    func all(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func header(_ name: String) -> String? { all(name).first }
}

/// One MIME entity inside a multipart body.
struct ParsedPart {
    let headers: [String: String]
    let bodyLines: [String]

    init(_ lines: [String]) throws {
        let blank = try #require(lines.firstIndex(of: ""), "a part without a header/body separator")
        var headers: [String: String] = [:]
        var lastName: String?
        for line in lines[..<blank] {
            if line.hasPrefix(" "), let name = lastName {
                headers[name, default: ""] += line
                continue
            }
            let colon = try #require(line.firstIndex(of: ":"))
            let name = line[..<colon].lowercased()
            headers[name] = String(line[line.index(after: colon)...].drop { $0 == " " })
            lastName = name
        }
        self.headers = headers
        self.bodyLines = Array(lines[(blank + 1)...])
    }
}

enum MIMEReader {
    /// The `boundary="..."` parameter of a Content-Type value.
    static func boundary(_ contentType: String) throws -> String {
        let start = try #require(contentType.range(of: "boundary=\""))
        let rest = contentType[start.upperBound...]
        let end = try #require(rest.firstIndex(of: "\""))
        return String(rest[..<end])
    }

    /// The parts of a multipart body, by lines; the closing delimiter must be present.
    static func parts(_ lines: [String], boundary: String) throws -> [[String]] {
        var parts: [[String]] = []
        var current: [String]?
        var closed = false
        for line in lines {
            if line == "--" + boundary {
                if let current { parts.append(current) }
                current = []
            } else if line == "--" + boundary + "--" {
                if let current { parts.append(current) }
                current = nil
                closed = true
                break
            } else if current != nil {
                current!.append(line)
            }
        }
        #expect(closed, "missing closing delimiter --\(boundary)--")
        return parts
    }

    /// Decodes RFC 2047 `=?UTF-8?B?...?=` words; whitespace between adjacent encoded words is dropped.
    static func decodeWords(_ value: String) throws -> String {
        var output: [UInt8] = []
        var pendingSpace: [UInt8] = []
        var lastWasEncoded = false
        var rest = Substring(value)
        while !rest.isEmpty {
            if rest.hasPrefix("=?") {
                let afterOpen = rest.dropFirst(2)
                let close = try #require(afterOpen.range(of: "?="), "unterminated encoded word in \(value)")
                let word = afterOpen[..<close.lowerBound]
                let pieces = word.split(separator: "?", omittingEmptySubsequences: false)
                try #require(pieces.count == 3, "malformed encoded word \(word)")
                #expect(pieces[0].uppercased() == "UTF-8")
                try #require(pieces[1].uppercased() == "B", "only B encoding is expected")
                #expect(word.count + 4 <= 75, "an encoded word is longer than 75 characters")
                let bytes = try #require(Data(base64Encoded: String(pieces[2])), "bad base64 in \(word)")
                if !lastWasEncoded { output += pendingSpace }
                pendingSpace = []
                output += bytes
                lastWasEncoded = true
                rest = afterOpen[close.upperBound...]
            } else if rest.first == " " || rest.first == "\t" {
                pendingSpace.append(UInt8(ascii: " "))
                rest = rest.dropFirst()
            } else {
                output += pendingSpace
                pendingSpace = []
                output += Array(String(rest.first!).utf8)
                lastWasEncoded = false
                rest = rest.dropFirst()
            }
        }
        output += pendingSpace
        return try #require(String(validating: output, as: UTF8.self))
    }

    /// Decodes quoted-printable lines back to text with LF line ends.
    static func decodeQuotedPrintable(_ lines: [String]) throws -> String {
        var bytes: [UInt8] = []
        for (index, line) in lines.enumerated() {
            var raw = Array(line.utf8)
            let soft = raw.last == UInt8(ascii: "=")
            if soft { raw.removeLast() }
            var i = 0
            while i < raw.count {
                if raw[i] == UInt8(ascii: "=") {
                    try #require(i + 2 < raw.count, "truncated =XX in \(line)")
                    let hex = String(decoding: raw[(i + 1)...(i + 2)], as: UTF8.self)
                    #expect(hex == hex.uppercased(), "QP hex digits must be upper case")
                    bytes.append(try #require(UInt8(hex, radix: 16), "bad =XX in \(line)"))
                    i += 3
                } else {
                    bytes.append(raw[i])
                    i += 1
                }
            }
            if !soft && index < lines.count - 1 { bytes.append(0x0A) }
        }
        return try #require(String(validating: bytes, as: UTF8.self))
    }
}

@Suite("MIME builder")
struct MIMEBuilderTests {
    static let subject = "Herinnering: factuur €1.234,56 — Joëlle"
    static let longLine = String(repeating: "Dit is een lange regel met één euro (€) en enkele spaties; ", count: 4).prefix(200)
    static let text = """
        Beste Joëlle,

        \(longLine)
        .Deze regel begint met een punt
        ..en deze met twee
        From het begin van een regel
        regel met spatie aan het eind\u{20}
        regel met tab aan het eind\t
        a=b en 100% zeker
        \tinspringen met tab
        \(String(repeating: "x", count: 300))
        \(String(repeating: "é", count: 120))

        Met vriendelijke groet,
        Sanne
        """
    static let html = "<p>Beste Joëlle,</p>\n<p>Er staat nog <b>€ 1.234,56</b> open.</p>\n<p style=\"margin:0\">\(String(repeating: "ü", count: 100))</p>"
    static let pdf: [UInt8] = Array("%PDF-1.4\n".utf8) + (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    static func envelope(date: Date = Date(timeIntervalSince1970: 1_795_336_200), replyTo: Bool = true,
                         toName: String = "Joëlle de Vries-Ümit", fromName: String = "Debiteurenbeheer Voorbeeld B.V.") -> MIMEBuilder.Envelope {
        MIMEBuilder.Envelope(
            fromName: fromName, fromAddress: "debiteuren@voorbeeld.nl",
            toName: toName, toAddress: "joelle.devries@example.nl",
            replyToName: replyTo ? "Sanne Bakker — Accountmanager" : nil, replyToAddress: replyTo ? "sanne.bakker@voorbeeld.nl" : nil,
            actionID: "demo-2026-11-0001", messageIDDomain: "voorbeeld.nl",
            date: date, timeZone: TimeZone(identifier: "Europe/Amsterdam")!
        )
    }

    static func build(date: Date = Date(timeIntervalSince1970: 1_795_336_200), attachments: Bool = true, replyTo: Bool = true) -> EmailMessage {
        MIMEBuilder.build(
            envelope: envelope(date: date, replyTo: replyTo), subject: subject, text: text, html: html,
            attachments: attachments ? [MailAttachment(filename: "Factuur F2026-0815 (€).pdf", data: pdf)] : []
        )
    }

    @Test("the message is 7-bit ASCII with CRLF line ends and no line over 998 octets")
    func lineDiscipline() throws {
        let message = Self.build()
        #expect(message.bytes.allSatisfy { $0 < 0x80 }, "everything non-ASCII must be encoded")
        // No bare CR or LF: every LF is preceded by CR and every CR followed by LF.
        for (index, byte) in message.bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && message.bytes[index - 1] == 0x0D, "bare LF at \(index)") }
            if byte == 0x0D { #expect(index + 1 < message.bytes.count && message.bytes[index + 1] == 0x0A, "bare CR at \(index)") }
        }
        let parsed = try ParsedMessage(message.bytes)
        for line in parsed.lines { #expect(line.utf8.count <= 998) }
        for line in parsed.lines.prefix(while: { !$0.isEmpty }) { #expect(line.utf8.count <= 998) }
    }

    @Test("the required headers are present exactly once")
    func requiredHeaders() throws {
        let parsed = try ParsedMessage(Self.build().bytes)
        for name in ["Date", "From", "To", "Subject", "Message-ID", "X-Koerier-Action", "MIME-Version", "Auto-Submitted", "Content-Type", "Reply-To"] {
            #expect(parsed.all(name).count == 1, "\(name)")
        }
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Auto-Submitted") == "auto-generated")
        #expect(parsed.header("X-Koerier-Action") == "demo-2026-11-0001")
        #expect(parsed.header("Message-ID") == "<koerier.demo-2026-11-0001@voorbeeld.nl>")
        #expect(parsed.header("Date") == "Sun, 22 Nov 2026 09:30:00 +0100")
        #expect(parsed.all("Bcc").isEmpty && parsed.all("Cc").isEmpty)
    }

    @Test("the Date header follows the zone's offset, summer time included")
    func dateHeader() throws {
        // 2026-07-01T10:00:00Z is 12:00 in Amsterdam (CEST).
        let parsed = try ParsedMessage(Self.build(date: Date(timeIntervalSince1970: 1_782_900_000)).bytes)
        #expect(parsed.header("Date") == "Wed, 1 Jul 2026 12:00:00 +0200")
    }

    @Test("RFC 2047 words in Subject, From, To and Reply-To decode to the originals")
    func encodedHeaders() throws {
        let parsed = try ParsedMessage(Self.build().bytes)
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("Subject"))) == Self.subject)
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("To"))) == "Joëlle de Vries-Ümit <joelle.devries@example.nl>")
        #expect(parsed.header("From") == "\"Debiteurenbeheer Voorbeeld B.V.\" <debiteuren@voorbeeld.nl>")
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("Reply-To"))) == "Sanne Bakker — Accountmanager <sanne.bakker@voorbeeld.nl>")
    }

    @Test("a long non-ASCII subject is split into several encoded words that decode whole")
    func longSubject() throws {
        let subject = String(repeating: "Laatste herinnering voor Joëlle: € 1.234,56 — ", count: 6)
        let message = MIMEBuilder.build(envelope: Self.envelope(), subject: subject, text: "x", html: "<p>x</p>", attachments: [])
        let parsed = try ParsedMessage(message.bytes)
        for line in parsed.lines.prefix(while: { !$0.isEmpty }) { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("Subject"))) == subject.trimmingCharacters(in: .whitespaces))
    }

    @Test("text and HTML decode from quoted-printable to the exact originals")
    func bodies() throws {
        let parsed = try ParsedMessage(Self.build().bytes)
        let mixed = try MIMEReader.boundary(try #require(parsed.header("Content-Type")))
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/mixed;") == true)
        let outer = try MIMEReader.parts(parsed.bodyLines, boundary: mixed)
        try #require(outer.count == 2)
        let alternative = try ParsedPart(outer[0])
        let altType = try #require(alternative.headers["content-type"])
        #expect(altType.hasPrefix("multipart/alternative;"))
        let inner = try MIMEReader.parts(alternative.bodyLines, boundary: try MIMEReader.boundary(altType))
        try #require(inner.count == 2)
        let plain = try ParsedPart(inner[0]), html = try ParsedPart(inner[1])
        #expect(plain.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(html.headers["content-type"] == "text/html; charset=utf-8")
        for part in [plain, html] {
            #expect(part.headers["content-transfer-encoding"] == "quoted-printable")
            for line in part.bodyLines {
                #expect(line.utf8.count <= 76, "QP line too long: \(line)")
                #expect(!line.hasPrefix("."), "a QP line starts with a dot: \(line)")
                #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "QP line ends in whitespace: \(line)")
            }
        }
        #expect(try MIMEReader.decodeQuotedPrintable(plain.bodyLines) == Self.text)
        #expect(try MIMEReader.decodeQuotedPrintable(html.bodyLines) == Self.html)
    }

    @Test("CRLF and lone CR in the text become line breaks")
    func lineEndNormalisation() throws {
        let message = MIMEBuilder.build(envelope: Self.envelope(), subject: "s", text: "een\r\ntwee\rdrie\nvier", html: "h", attachments: [])
        let parsed = try ParsedMessage(message.bytes)
        let inner = try MIMEReader.parts(parsed.bodyLines, boundary: try MIMEReader.boundary(try #require(parsed.header("Content-Type"))))
        #expect(try MIMEReader.decodeQuotedPrintable(try ParsedPart(inner[0]).bodyLines) == "een\ntwee\ndrie\nvier")
    }

    @Test("the attachment decodes from base64 to the same bytes, with its name")
    func attachment() throws {
        let parsed = try ParsedMessage(Self.build().bytes)
        let outer = try MIMEReader.parts(parsed.bodyLines, boundary: try MIMEReader.boundary(try #require(parsed.header("Content-Type"))))
        try #require(outer.count == 2)
        let file = try ParsedPart(outer[1])
        #expect(file.headers["content-transfer-encoding"] == "base64")
        let type = try #require(file.headers["content-type"])
        #expect(type.hasPrefix("application/pdf; name=\""))
        let disposition = try #require(file.headers["content-disposition"])
        #expect(disposition.hasPrefix("attachment; filename=\""))
        let quotedName = disposition.dropFirst("attachment; filename=\"".count).dropLast()
        #expect(try MIMEReader.decodeWords(String(quotedName)) == "Factuur F2026-0815 (€).pdf")
        for line in file.bodyLines { #expect(line.count <= 76) }
        let data = try #require(Data(base64Encoded: file.bodyLines.joined()))
        #expect([UInt8](data) == Self.pdf)
    }

    @Test("without attachments the message is multipart/alternative")
    func noAttachments() throws {
        let parsed = try ParsedMessage(Self.build(attachments: false).bytes)
        let type = try #require(parsed.header("Content-Type"))
        #expect(type.hasPrefix("multipart/alternative;"))
        let parts = try MIMEReader.parts(parsed.bodyLines, boundary: try MIMEReader.boundary(type))
        #expect(parts.count == 2)
        #expect(try MIMEReader.decodeQuotedPrintable(try ParsedPart(parts[0]).bodyLines) == Self.text)
    }

    @Test("Message-ID and boundaries are identical across attempts at different times")
    func deterministic() throws {
        let first = Self.build(date: Date(timeIntervalSince1970: 1_795_336_200))
        let second = Self.build(date: Date(timeIntervalSince1970: 1_795_336_200 + 86_400 * 3 + 17))
        #expect(first.messageID == second.messageID)
        #expect(first.messageID == "<koerier.demo-2026-11-0001@voorbeeld.nl>")
        let a = try ParsedMessage(first.bytes), b = try ParsedMessage(second.bytes)
        #expect(a.header("Message-ID") == b.header("Message-ID"))
        #expect(a.header("Date") != b.header("Date"))
        #expect(a.header("Content-Type") == b.header("Content-Type"))
        #expect(a.bodyLines == b.bodyLines, "bodies, boundaries included, must not change between attempts")
        #expect(first.envelopeFrom == "debiteuren@voorbeeld.nl")
        #expect(first.recipient == "joelle.devries@example.nl")
        #expect(first.actionID == "demo-2026-11-0001")
    }

    @Test("boundaries never occur in the encoded content")
    func boundariesAreUnique() throws {
        let parsed = try ParsedMessage(Self.build().bytes)
        let mixed = try MIMEReader.boundary(try #require(parsed.header("Content-Type")))
        #expect(parsed.bodyLines.filter { $0.hasPrefix("--" + mixed) }.count == 3)
        #expect(!mixed.isEmpty && mixed.count <= 70)
    }

    @Test("different actions get different Message-IDs; ids that are no dot-atom are hashed")
    func messageIDs() {
        #expect(MIMEBuilder.messageID(actionID: "a-1", domain: "x.nl") == "<koerier.a-1@x.nl>")
        #expect(MIMEBuilder.messageID(actionID: "a-1", domain: "x.nl") != MIMEBuilder.messageID(actionID: "a-2", domain: "x.nl"))
        let hashed = MIMEBuilder.messageID(actionID: "a..b", domain: "x.nl")
        #expect(hashed.hasPrefix("<koerier.h") && hashed.hasSuffix("@x.nl>") && !hashed.contains(".."))
        #expect(hashed == MIMEBuilder.messageID(actionID: "a..b", domain: "x.nl"))
        #expect(MIMEBuilder.messageID(actionID: "end.", domain: "x.nl") != MIMEBuilder.messageID(actionID: ".end", domain: "x.nl"))
    }

    @Test("Reply-To is present only when given")
    func replyTo() throws {
        #expect(try ParsedMessage(Self.build(replyTo: true).bytes).all("Reply-To").count == 1)
        #expect(try ParsedMessage(Self.build(replyTo: false).bytes).all("Reply-To").isEmpty)
    }

    @Test("an ASCII display name is quoted with its quotes and backslashes escaped")
    func quotedNames() {
        #expect(MIMEBuilder.mailbox("Jan \"de\" Vries\\", "jan@x.nl") == "\"Jan \\\"de\\\" Vries\\\\\" <jan@x.nl>")
        #expect(MIMEBuilder.mailbox("", "jan@x.nl") == "<jan@x.nl>")
    }

    @Test("CR/LF in names, subject and address never produce an injected header", arguments: [
        "\r\nBcc: evil@x.nl", "\nBcc: evil@x.nl", "\rBcc: evil@x.nl", "\u{2028}Bcc: evil@x.nl", "\u{85}Bcc: evil@x.nl",
    ])
    func headerInjection(_ payload: String) throws {
        var envelope = Self.envelope(toName: "Jan" + payload, fromName: "Debiteuren" + payload)
        envelope.toAddress = "jan@example.nl" + payload
        envelope.replyToName = "Joëlle" + payload
        envelope.extraHeaders = [("X-Campaign", "najaar" + payload)]
        let message = MIMEBuilder.build(envelope: envelope, subject: "Herinnering" + payload, text: "t", html: "h", attachments: [])
        let parsed = try ParsedMessage(message.bytes)
        for line in parsed.lines.prefix(while: { !$0.isEmpty }) {
            #expect(!line.lowercased().hasPrefix("bcc:"), "injected header line: \(line)")
        }
        #expect(parsed.all("Bcc").isEmpty)
        #expect(parsed.all("To").count == 1)
        #expect(parsed.all("From").count == 1)
        #expect(parsed.all("Subject").count == 1)
    }

    @Test("a non-ASCII name with an injection attempt stays inside its encoded word")
    func injectionInEncodedName() throws {
        let envelope = Self.envelope(toName: "Joëlle\r\nBcc: evil@x.nl")
        let parsed = try ParsedMessage(MIMEBuilder.build(envelope: envelope, subject: "s", text: "t", html: "h", attachments: []).bytes)
        let to = try MIMEReader.decodeWords(try #require(parsed.header("To")))
        #expect(!to.contains("\r") && !to.contains("\n"))
        #expect(to.hasSuffix("<joelle.devries@example.nl>"))
        #expect(parsed.all("To").count == 1)
    }

    @Test("an ASCII subject that looks like an encoded word is itself encoded")
    func subjectLookingEncoded() throws {
        let subject = "=?UTF-8?B?SGFjaw==?= factuur"
        let parsed = try ParsedMessage(MIMEBuilder.build(envelope: Self.envelope(), subject: subject, text: "t", html: "h", attachments: []).bytes)
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("Subject"))) == subject)
    }

    @Test("no header line exceeds 998 octets, even for a long subject without spaces")
    func longUnbrokenSubject() throws {
        let subject = "Factuur-" + String(repeating: "0123456789", count: 120)
        let message = MIMEBuilder.build(envelope: Self.envelope(), subject: subject, text: "t", html: "h", attachments: [])
        let parsed = try ParsedMessage(message.bytes)
        for line in parsed.lines { #expect(line.utf8.count <= 998, "a line of \(line.utf8.count) octets") }
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("Subject"))) == subject)
    }

    @Test("a name that is one huge grapheme cluster still gives encoded words of at most 75 characters and short lines")
    func hugeGraphemeCluster() throws {
        let name = "e" + String(repeating: "\u{301}", count: 600)
        #expect(name.count == 1)
        let message = MIMEBuilder.build(envelope: Self.envelope(toName: name), subject: "s", text: "t", html: "h", attachments: [])
        let parsed = try ParsedMessage(message.bytes)
        for line in parsed.lines { #expect(line.utf8.count <= 998, "a line of \(line.utf8.count) octets") }
        #expect(try MIMEReader.decodeWords(try #require(parsed.header("To"))) == name + " <joelle.devries@example.nl>")
    }

    @Test("quoted-printable encodes '=', trailing whitespace and a leading dot, and keeps lines at 76", arguments: [
        ("a=b", "a=3Db"),
        ("end ", "end=20"),
        ("end\t", "end=09"),
        (".", "=2E"),
        ("..x", "=2E.x"),
        ("é", "=C3=A9"),
        ("a\nb", "a\r\nb"),
        ("tab\there", "tab\there"),
        (String(repeating: "a", count: 76), String(repeating: "a", count: 75) + "=\r\na"),
        (String(repeating: "a", count: 74) + "é", String(repeating: "a", count: 74) + "=\r\n=C3=A9"),
    ])
    func quotedPrintable(_ input: String, expected: String) {
        #expect(MIMEBuilder.quotedPrintable(input) == expected)
    }
}

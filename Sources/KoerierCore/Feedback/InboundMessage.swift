import Foundation

/// A message to the bounce address as `koerier bounce` keeps it in `<spool>/inbound/` for the daemon: a first line
/// `Koerier-Recipient: <address>` (the address it was sent to), then the message exactly as received.
public struct InboundMessage: Sendable, Equatable {
    /// The bytes kept at most; a longer message is cut (the report parts come first, the returned original last).
    public static let maximumBytes = 10 << 20
    /// File names of kept messages start with this and end in `.eml`.
    public static let prefix = "msg-"
    static let recipientField = "Koerier-Recipient: "

    /// The address the message was sent to (the VERP address), when known.
    public var recipient: String?
    /// The message as received (at most `maximumBytes`).
    public var message: ArraySlice<UInt8>

    /// A message sent to `recipient`.
    public init(recipient: String?, message: ArraySlice<UInt8>) {
        self.recipient = recipient
        self.message = message
    }

    /// The folder beside the spool's own folders (CONTRACT section 1).
    public static func folder(spool: String) -> String { spool + "/inbound" }

    /// True for the names of kept messages (not the hidden temporary names, not held reports).
    public static func isMessageName(_ name: String) -> Bool {
        name.hasPrefix(prefix) && name.hasSuffix(".eml") && !name.contains("/")
    }

    /// A fresh, unique file name.
    public static func newName(now: Date = Date()) -> String {
        "\(prefix)\(Int(now.timeIntervalSince1970))-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).eml"
    }

    /// The recipient the way CONTRACT section 6 says: the given one, else `Delivered-To`, `X-Original-To`, `To`.
    public static func recipient(given: String?, message: ArraySlice<UInt8>) -> String? {
        if let given, !given.isEmpty { return given }
        let head = MIMEPart(message)
        for name in ["delivered-to", "x-original-to", "to"] {
            if let value = head.field(name), let address = Self.address(in: value) { return address }
        }
        return nil
    }

    /// The first address in a header value (`Name <a@b>` or `a@b`).
    static func address(in value: String) -> String? {
        var text = value
        if let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            text = String(text[text.index(after: open)..<close])
        } else {
            text = String(text.split(separator: ",").first ?? "")
        }
        text = text.trimmingCharacters(in: .whitespaces)
        return text.contains("@") && text.utf8.count <= 320 && !text.contains(" ") ? text : nil
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        // By scalar: "\r\n" is one Character, which a Character filter would let through.
        var cleaned = String.UnicodeScalarView()
        cleaned.append(contentsOf: (recipient ?? "").unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(320))
        var out = Array("\(Self.recipientField)\(String(cleaned))\n".utf8)
        out.append(contentsOf: message.prefix(Self.maximumBytes))
        return out
    }

    /// Reads a kept file back (a file without the first line is taken as a bare message).
    public init(file bytes: [UInt8]) {
        let field = Array(Self.recipientField.utf8)
        if bytes.starts(with: field), let newline = bytes.prefix(1024).firstIndex(of: 0x0A) {
            let value = String(decoding: bytes[field.count..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            self.init(recipient: value.isEmpty ? nil : value, message: bytes[(newline + 1)...])
        } else {
            self.init(recipient: nil, message: bytes[...])
        }
    }
}

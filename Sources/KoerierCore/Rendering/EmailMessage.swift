/// A complete RFC 5322 message with its SMTP envelope, ready for a transport.
public struct EmailMessage: Sendable, Equatable {
    public var actionID: String
    /// Envelope sender (MAIL FROM).
    public var envelopeFrom: String
    /// The single envelope recipient (RCPT TO).
    public var recipient: String
    /// `<...>` form, identical on every attempt of the action.
    public var messageID: String
    /// The message, CRLF line endings, no line over 998 octets.
    public var bytes: [UInt8]
}

/// A file attached to an email.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String = "application/pdf", data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

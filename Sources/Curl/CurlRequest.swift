/// Everything a transfer needs, in Swift terms; `CurlEasy` turns it into curl options.
public struct CurlRequest: Sendable {
    /// TLS demand for protocols with STARTTLS (`smtp://`).
    public enum TLS: Sendable {
        /// Plain text; only sensible for a relay on loopback.
        case none
        /// STARTTLS must succeed or the transfer fails (`CURLUSESSL_ALL`).
        case required
    }

    public var url: String
    /// HTTP method; `nil` for SMTP uploads and plain GETs.
    public var method: String?
    /// HTTP header lines (`Name: value`).
    public var headers: [String] = []
    /// The request body (HTTP) or the whole message (SMTP).
    public var body: [UInt8] = []
    /// SMTP envelope sender (`MAIL FROM`), without angle brackets.
    public var mailFrom: String?
    /// SMTP envelope recipients (`RCPT TO`), without angle brackets.
    public var mailRecipients: [String] = []
    public var tls: TLS = .required
    public var username: String?
    public var password: String?
    /// Seconds to establish the connection.
    public var connectTimeout: Int = 10
    /// Seconds for the whole transfer.
    public var timeout: Int = 60
    /// Verify the peer's certificate (never turn off in production).
    public var verifyPeer: Bool = true
    /// Reuse a cached connection only if it is younger than this many seconds (libcurl's default is 118).
    /// Shorter than common server keep-alive limits, so a request rarely meets a connection the server is closing
    /// (on which libcurl would transparently send a POST again).
    public var maximumConnectionAge: Int = 30

    public init(url: String) {
        self.url = url
    }
}

/// What came back from a transfer, whether or not it succeeded.
public struct CurlResponse: Sendable {
    /// `nil` on success.
    public var error: CurlError?
    /// HTTP status or the last SMTP reply code (0 when none).
    public var responseCode: Int
    /// HTTP header lines, or every SMTP reply line from the server, without CRLF.
    public var headerLines: [String]
    /// The response body (HTTP).
    public var body: [UInt8]
    /// Request bytes handed to the connection; for SMTP, non-zero means DATA was under way.
    public var bytesSent: Int

    public init(error: CurlError?, responseCode: Int, headerLines: [String], body: [UInt8], bytesSent: Int) {
        self.error = error
        self.responseCode = responseCode
        self.headerLines = headerLines
        self.body = body
        self.bytesSent = bytesSent
    }
}

import CCurl

/// A libcurl failure: the numeric code, curl's own name for it, and the detail from the error buffer.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The `CURLcode` value.
    public let code: Int
    /// `curl_easy_strerror` text, e.g. "Couldn't connect to server".
    public let message: String
    /// The more precise text curl wrote into the handle's error buffer, when any.
    public let detail: String

    init(code: CURLcode, detail: String = "") {
        self.code = Int(code.rawValue)
        self.message = String(cString: curl_easy_strerror(code))
        self.detail = detail
    }

    /// The same error with `transform` applied to the detail text (to remove secrets before it is kept).
    public func mappingDetail(_ transform: (String) -> String) -> CurlError {
        CurlError(code: code, message: message, detail: transform(detail))
    }

    private init(code: Int, message: String, detail: String) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty ? "curl error \(code): \(message)" : "curl error \(code): \(message) (\(detail))"
    }

    /// The connection was never made: nothing reached the peer.
    public var isConnectFailure: Bool {
        code == Int(CURLE_COULDNT_CONNECT.rawValue) || code == Int(CURLE_COULDNT_RESOLVE_HOST.rawValue)
            || code == Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue)
    }

    /// The transfer ran out of time.
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }

    /// TLS could not be negotiated (STARTTLS refused, handshake or certificate failure).
    public var isTLSFailure: Bool {
        [CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE]
            .contains { Int($0.rawValue) == code }
    }

    /// The server refused the login.
    public var isLoginDenied: Bool { code == Int(CURLE_LOGIN_DENIED.rawValue) }
}

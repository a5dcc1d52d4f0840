import Foundation

extension Configuration {
    /// `http:` (CONTRACT section 6): the daemon's HTTP listener for `/livez`, `/readyz`, `/metrics` and `/dlr/<name>`.
    public struct HTTPSettings: Sendable, Equatable {
        /// The address to bind, exactly as configured: an IPv4 or IPv6 literal (never a name to resolve).
        public var host: String
        /// The TCP port, 1...65535.
        public var port: Int
        /// How providers reach the listener (behind a TLS proxy), without a trailing slash; nil: no callback URLs.
        public var publicURL: String?

        /// A listener on `host:port`.
        public init(host: String, port: Int, publicURL: String? = nil) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
        }

        /// The delivery-report URL of provider `name` under `publicURL` (nil when `public_url` is not set).
        public func reportURL(provider name: String) -> String? {
            publicURL.map { $0 + "/dlr/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name) }
        }
    }

    /// `http: {listen: "127.0.0.1:9300", public_url: "https://..."}`; nil when `http` or `listen` is absent.
    static func parseHTTP(_ root: ConfigReader) throws(ConfigError) -> HTTPSettings? {
        guard root.has("http") else { return nil }
        let reader = try root.child("http", allowed: ["listen", "public_url"])
        var publicURL = try reader.string("public_url")?.trimmingCharacters(in: .whitespaces)
        if let url = publicURL {
            if let problem = publicURLProblem(url) {
                try reader.report("public_url", problem)
                publicURL = nil
            } else {
                publicURL = String(url.reversed().drop(while: { $0 == "/" }).reversed())
            }
        }
        guard let listen = try reader.string("listen") else {
            if publicURL != nil { try reader.report("listen", "is required when public_url is set: the listener must run for providers to reach it") }
            return nil
        }
        guard let (host, port) = parseListen(listen) else {
            try reader.report("listen", "\"\(listen.debugEscaped)\" must be an IP address and a port, such as 127.0.0.1:9300 or [::1]:9300")
            return nil
        }
        return HTTPSettings(host: host, port: port, publicURL: publicURL)
    }

    /// `host:port` with an IPv4 literal, or `[v6]:port`; nil for anything else (names are not resolved).
    static func parseListen(_ text: String) -> (String, Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(host), &address) == 1 else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            var address = in_addr()
            guard inet_pton(AF_INET, String(host), &address) == 1 else { return nil }
        }
        guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65_535).contains(port) else {
            return nil
        }
        return (String(host), port)
    }

    /// Why `url` cannot be the public URL: it must be an absolute https:// (or http://) URL without query or fragment.
    static func publicURLProblem(_ url: String) -> String? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = parts.host, !host.isEmpty else {
            return "\"\(url.debugEscaped)\" must be an absolute URL such as https://koerier.voorbeeld.nl"
        }
        if parts.query != nil || parts.fragment != nil { return "must not have a query or fragment" }
        if parts.user != nil || parts.password != nil { return "must not carry a user name or password" }
        return nil
    }
}

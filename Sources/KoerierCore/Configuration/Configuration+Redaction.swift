extension Configuration.SMTPSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// URL, TLS mode and user name; never the password.
    public var description: String {
        "SMTPSettings(url: \(url), tls: \(tls.rawValue), username: \(username ?? "-"), password: \(password == nil ? "-" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    /// Reflection (and so `dump` and default printing of a containing value) shows the password redacted.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "url": url, "tls": tls, "username": username as Any, "password": password == nil ? "-" : "<redacted>",
            "connections": connections, "timeout": timeout, "connectTimeout": connectTimeout, "verifyPeer": verifyPeer,
        ], displayStyle: .struct)
    }
}

extension Configuration.SMSProviderSettingsConfig: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { description }

    /// Reflection shows the secret redacted.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "name": name, "url": url, "secret": secret == nil ? "-" : "<redacted>", "concurrency": concurrency,
            "ratePerSecond": ratePerSecond, "timeout": timeout, "options": options,
            "reportSecret": reportSecret == nil ? "-" : "<redacted>", "reportURL": reportURL as Any,
        ], displayStyle: .struct)
    }
}

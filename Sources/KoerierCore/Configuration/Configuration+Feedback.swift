import Foundation

extension Configuration {
    /// `email.bounce`: the VERP envelope sender (CONTRACT section 6).
    public struct BounceSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The domain whose mail reaches `koerier bounce`, e.g. `bounces.voorbeeld.nl`.
        public var domain: String
        /// The key that authenticates tokens, from `secret_env` or `secret_file`; never logged.
        public var secret: String

        /// The envelope sender for an action.
        public func envelopeSender(actionID: String) -> String {
            BounceAddress.address(actionID: actionID, domain: domain, secret: secret)
        }

        /// The domain only; never the secret.
        public var description: String { "BounceSettings(domain: \(domain), secret: <redacted>)" }
        /// As `description`.
        public var debugDescription: String { description }
        /// Reflection shows the secret redacted.
        public var customMirror: Mirror {
            Mirror(self, children: ["domain": domain, "secret": "<redacted>"], displayStyle: .struct)
        }
    }

    /// Reads `email.bounce` (absent: envelope sender is `email.from`, no bounce handling).
    static func parseBounce(_ email: ConfigReader, environment: [String: String]) throws(ConfigError) -> BounceSettings? {
        guard email.has("bounce") else { return nil }
        let reader = try email.child("bounce", allowed: ["domain", "secret", "secret_env", "secret_file"])
        let domain = try reader.requiredString("domain").lowercased()
        if domain.isEmpty { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let validLabels = labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
        }
        if !validLabels || domain.utf8.count > 253 {
            try reader.report("domain", "\"\(domain.debugEscaped)\" is not a domain name such as bounces.voorbeeld.nl")
            return nil
        }
        guard let secret = try reader.secret("secret", environment: environment) else {
            if !reader.has("secret_env") && !reader.has("secret_file") {
                try reader.report("secret_env", "is required: name the environment variable (or use secret_file) that holds the key tokens are authenticated with")
            }
            return nil
        }
        if secret.utf8.count < 16 {
            try reader.report(reader.has("secret_env") ? "secret_env" : "secret_file", "the secret it names is shorter than 16 bytes; use at least 32 random bytes")
            return nil
        }
        return BounceSettings(domain: domain, secret: secret)
    }
}

extension Configuration {
    /// Only the `spool` path of a configuration file, for `koerier bounce`: an MTA runs it with a bare environment,
    /// where the secrets the rest of the file names are not set, and it needs nothing else.
    public static func spoolPath(file: String) throws(ConfigError) -> String {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let yaml = try ConfigDocument.read(path: absolute, file: file)
        let root = try ConfigReader(yaml, file: file, path: "", baseDirectory: (absolute as NSString).deletingLastPathComponent,
                                    allowed: rootKeys)
        return try root.path("spool", default: "var/spool") ?? ""
    }
}

import Foundation

extension Configuration {
    static func parseSMS(_ reader: ConfigReader, environment: [String: String]) throws(ConfigError) -> SMSSettings {
        var sender = try reader.string("sender", default: "Koerier")
        if let problem = SenderID.validate(sender) {
            try reader.report("sender", problem)
            sender = "Koerier"
        }
        var providers: [SMSProviderSettingsConfig] = []
        var names: [String: Int] = [:]
        for (index, item) in try reader.list("providers").enumerated() {
            let path = reader.key("providers[\(index)]")
            guard let provider = try parseProvider(item, path: path, reader: reader, environment: environment) else { continue }
            if let first = names[provider.name] {
                try reader.report("providers[\(index)].name", "\"\(provider.name.debugEscaped)\" is also the name of providers[\(first)]; give each provider its own name")
                continue
            }
            names[provider.name] = index
            providers.append(provider)
        }
        var ambiguous = try reader.string("ambiguous", default: "fail")
        if ambiguous != "fail" && ambiguous != "resend" {
            try reader.report("ambiguous", "must be fail or resend")
            ambiguous = "fail"
        }
        return SMSSettings(
            sender: sender, providers: providers,
            maximumParts: try reader.int("max_parts", default: 3, range: 1...10),
            transliterate: try reader.bool("transliterate", default: true),
            paymentDomain: try reader.string("payment_domain"),
            ambiguousResend: ambiguous == "resend"
        )
    }

    /// One entry of `sms.providers`, checked against exactly the keys of its kind; nil when it is unusable
    /// (its problems are reported).
    private static func parseProvider(
        _ item: Any, path: String, reader parent: ConfigReader, environment: [String: String]
    ) throws(ConfigError) -> SMSProviderSettingsConfig? {
        let everyKey = SMSProviderKind.allCases.reduce(SMSProviderKind.sharedKeys) { $0.union($1.ownKeys) }
        let p = try parent.reader(for: item, path: path, allowed: everyKey)
        let kindName = try p.requiredString("kind")
        let kind = SMSProviderKind(rawValue: kindName)
        if kind == nil && !kindName.isEmpty {
            try p.report("kind", "\"\(kindName.debugEscaped)\" must be one of \(SMSProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let kind {
            for key in p.map.keys.sorted() where !SMSProviderKind.sharedKeys.contains(key) && !kind.ownKeys.contains(key) {
                let owners = SMSProviderKind.allCases.filter { $0.ownKeys.contains(key) }.map(\.rawValue).joined(separator: ", ")
                try p.report(key, "does not apply to kind \(kind.rawValue); it is a setting of \(owners)")
            }
        }
        // Only the generic kind has no production URL to fall back on.
        let url = kind == .http ? try p.requiredString("url") : try p.string("url", default: "")
        if !url.isEmpty {
            try checkProviderURL(url, key: "url", in: p)
        }
        let secret = try p.secret("token", environment: environment)
        if secret == nil, let kind, kind != .http, !p.has("token_env"), !p.has("token_file") {
            try p.report("token_env", "is required for kind \(kind.rawValue) (or token_file): the provider refuses requests without its secret")
        }
        let name = try p.string("name", default: kindName).trimmingCharacters(in: .whitespaces)
        if p.has("name") && name.isEmpty { try p.report("name", "must not be empty") }
        let concurrency = try p.int("concurrency", default: 16, range: 1...256)
        let rate = try p.double("rate_per_second", default: 50, range: 0.01...10_000)
        let timeout = try p.int("timeout", default: 15, range: 1...600)
        var reportSecret = try p.secret("report_secret", environment: environment)
        if let value = reportSecret, value.utf8.count < 16 || value.utf8.count > 512 {
            try p.report(p.has("report_secret_env") ? "report_secret_env" : "report_secret_file",
                         "the report secret must be 16 to 512 bytes long (a URL token must not be guessable)")
            reportSecret = nil
        }
        guard let kind, let options = try parseOptions(kind, p) else { return nil }
        var provider = SMSProviderSettingsConfig(
            name: name.isEmpty ? kind.rawValue : name, url: url, secret: secret,
            concurrency: concurrency, ratePerSecond: rate, timeout: timeout, options: options
        )
        provider.reportSecret = reportSecret
        return provider
    }

    /// The settings of `kind` from entry `p`; nil when a required one is missing (reported).
    private static func parseOptions(_ kind: SMSProviderKind, _ p: ConfigReader) throws(ConfigError) -> SMSProviderOptions? {
        switch kind {
        case .messagebird:
            return .messagebird
        case .cm:
            return .cm
        case .spryng:
            let route = try p.string("route")
            if let route, route.isEmpty || !route.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                try p.report("route", "\"\(route.debugEscaped)\" must be business or a route id of letters, digits, - and _")
                return nil
            }
            return .spryng(route: route)
        case .twilio:
            let account = try p.requiredString("account")
            let callback = try p.string("status_callback")
            if let callback { try checkProviderURL(callback, key: "status_callback", in: p) }
            return account.isEmpty ? nil : .twilio(account: account, statusCallback: callback)
        case .vonage:
            let account = try p.requiredString("account")
            return account.isEmpty ? nil : .vonage(account: account)
        case .http:
            return try parseGenericHTTP(p).map { .http($0) }
        }
    }

    private static func parseGenericHTTP(_ p: ConfigReader) throws(ConfigError) -> GenericHTTPSMSSettings? {
        let method = try p.string("method", default: "POST").trimmingCharacters(in: .whitespaces).uppercased()
        if method.isEmpty || method.count > 16 || !method.allSatisfy({ $0.isASCII && $0.isLetter }) {
            try p.report("method", "\"\(method.debugEscaped)\" is not an HTTP method such as POST or GET")
        }
        let path = try p.requiredString("path")
        try checkTemplate(path, key: "path", in: p)
        let lowerPath = path.lowercased()
        if lowerPath.hasPrefix("http://") || lowerPath.hasPrefix("https://") {
            try checkProviderURL(path, key: "path", in: p)
        }
        var headers: [GenericHTTPSMSSettings.Header] = []
        if p.has("headers") {
            if let map = p.map["headers"] as? [String: Any] {
                for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                    let key = "headers.\(name)"
                    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                        try p.report(key, "is not a valid HTTP header name (letters, digits, - and _)")
                        continue
                    }
                    guard let text = (value as? String) ?? (value as? Int).map({ String($0) }) else {
                        try p.report(key, "must be text")
                        continue
                    }
                    if text.contains("\r") || text.contains("\n") { try p.report(key, "must be on one line") }
                    try checkTemplate(text, key: key, in: p)
                    headers.append(.init(name: name, value: text))
                }
            } else {
                try p.report("headers", "must map header names to values")
            }
        }
        let body = try p.string("body")
        if let body { try checkTemplate(body, key: "body", in: p) }
        let encodingName = try p.string("body_encoding", default: "json").lowercased()
        let encoding = GenericHTTPSMSSettings.BodyEncoding(rawValue: encodingName)
        if encoding == nil { try p.report("body_encoding", "\"\(encodingName.debugEscaped)\" must be json or form") }
        let statusText = try p.string("success_status", default: "200-299")
        let status = statusRange(statusText)
        if status == nil {
            try p.report("success_status", "\"\(statusText.debugEscaped)\" must be a status such as 200 or a range such as 200-299, within 100-599")
        }
        let idPath = try p.string("id_path")
        let account = try p.string("account")
        guard !path.isEmpty, let encoding, let status else { return nil }
        return GenericHTTPSMSSettings(
            method: method, path: path, headers: headers, body: body, bodyEncoding: encoding,
            successStatus: status, idPath: (idPath?.isEmpty ?? true) ? nil : idPath, account: account
        )
    }

    /// Reports a URL that is not https:// (plain http:// is allowed only for loopback).
    private static func checkProviderURL(_ url: String, key: String, in p: ConfigReader) throws(ConfigError) {
        let lower = url.lowercased()
        guard (lower.hasPrefix("https://") && url.count > "https://".count) || (lower.hasPrefix("http://") && isLoopback(url)) else {
            try p.report(key, "\"\(url.debugEscaped)\" must be https:// (plain http:// only for 127.0.0.1 or localhost)")
            return
        }
    }

    /// Reports an unclosed `{{` or a placeholder the generic provider does not know.
    private static func checkTemplate(_ template: String, key: String, in p: ConfigReader) throws(ConfigError) {
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                try p.report(key, "has a '{{' that is never closed with '}}'")
                return
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !GenericHTTPSMSSettings.placeholders.contains(name) {
                let known = GenericHTTPSMSSettings.placeholders.sorted().joined(separator: ", ")
                try p.report(key, "uses the unknown placeholder {{\(name.debugEscaped)}} (known: \(known))")
            }
            rest = afterOpen[close.upperBound...]
        }
    }

    /// `200` or `200-299` as a range of HTTP statuses within 100...599.
    static func statusRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ (1...3).contains($0.count) }),
              let low = Int(parts[0]), let high = Int(parts[parts.count - 1]),
              (100...599).contains(low), (100...599).contains(high), low <= high else { return nil }
        return low...high
    }
}

import Foundation
import Yams

extension Configuration {
    /// Loads and validates the YAML file at `file`; relative paths are relative to its folder.
    ///
    /// The whole file is read and checked in one pass: the error lists every problem found, one per key path.
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Configuration {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let yaml = try ConfigDocument.read(path: absolute, file: file)
        let problems = ConfigProblems()
        do throws(ConfigError) {
            let configuration = try parse(yaml, file: file, baseDirectory: (absolute as NSString).deletingLastPathComponent,
                                          environment: environment, problems: problems)
            if let error = problems.error { throw error }
            return configuration
        } catch {
            problems.record(error)
            throw problems.error ?? error
        }
    }

    static let rootKeys: Set<String> = [
        "spool", "journal", "templates", "attachments", "timezone", "quiet_hours", "email", "sms", "company", "sender",
        "delivery", "stages", "lint", "metrics_file", "calendar", "letters", "archive", "archive_retention", "http",
    ]

    /// Validates an already parsed YAML document; problems go to `problems` and their settings keep defaults.
    static func parse(_ yaml: Any?, file: String, baseDirectory: String, environment: [String: String], problems: ConfigProblems) throws(ConfigError) -> Configuration {
        let root = try ConfigReader(yaml, file: file, path: "", baseDirectory: baseDirectory, allowed: rootKeys, problems: problems)
        let zoneName = try root.string("timezone", default: "Europe/Amsterdam")
        let zone = TimeZone(identifier: zoneName) ?? TimeZone(identifier: "Europe/Amsterdam") ?? .current
        if TimeZone(identifier: zoneName) == nil {
            try root.report("timezone", "\"\(zoneName.debugEscaped)\" is not a known time zone such as Europe/Amsterdam")
        }
        let spool = try root.path("spool", default: "var/spool") ?? ""
        var configuration = Configuration(
            file: file,
            spool: spool,
            journal: try root.path("journal", default: "var/journal") ?? "",
            templates: try root.path("templates", default: "Templates") ?? "",
            attachments: try root.path("attachments", default: "attachments") ?? "",
            timeZone: zone,
            contact: try parseContact(root.child("quiet_hours", allowed: ["enabled", "opens", "closes", "days", "holidays", "extra_closed_dates", "spread", "email", "sms"]), zone: zone),
            email: try parseEmail(root.child("email", allowed: ["from", "transport", "outbox", "smtp", "message_id_domain", "reply_to_sender", "bounce"]), environment: environment),
            sms: try parseSMS(root.child("sms", allowed: ["sender", "providers", "max_parts", "transliterate", "payment_domain", "ambiguous"]), environment: environment),
            company: try parseCompany(root.child("company", allowed: ["name", "trade_name", "kvk", "vat", "address", "postcode_city", "iban", "bic", "phone", "email", "website", "complaints"])),
            defaultSender: try parseSender(root.child("sender", allowed: ["name", "title", "email", "phone"])),
            delivery: try parseDelivery(root.child("delivery", allowed: ["concurrency", "retry", "rescan_interval", "debtor_pacing", "shutdown_deadline", "intake_batch", "send_ahead"])),
            stages: try parseStages(root),
            lint: try parseLint(root.child("lint", allowed: ["restricted_phrases"])),
            metricsFile: try root.path("metrics_file", default: nil)
        )
        try configuration.parseLetters(root)
        configuration.archive = try parseArchive(root)
        configuration.http = try parseHTTP(root)
        for index in configuration.sms.providers.indices {
            configuration.sms.providers[index].reportURL = configuration.http?.reportURL(provider: configuration.sms.providers[index].name)
        }
        return configuration
    }

    private static let dayNames = ["ma": 1, "di": 2, "wo": 3, "do": 4, "vr": 5, "za": 6, "zo": 7,
                                   "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]

    private static func parseRules(_ reader: ConfigReader, base: ContactRules) throws(ConfigError) -> ContactRules {
        var rules = base
        rules.enabled = try reader.bool("enabled", default: base.enabled)
        rules.opens = try reader.clockTime("opens", default: base.opens)
        rules.closes = try reader.clockTime("closes", default: base.closes)
        if rules.opens >= rules.closes {
            try reader.report("closes", "must be later than opens")
            (rules.opens, rules.closes) = (base.opens, base.closes)
        }
        if reader.has("days") {
            var days = Set<Int>()
            for item in try reader.list("days") {
                guard let name = item as? String, let day = dayNames[name.lowercased()] else {
                    try reader.report("days", "\"\(item)\" is not a day; use ma di wo do vr za zo")
                    continue
                }
                days.insert(day)
            }
            rules.days = days
        }
        rules.holidays = try reader.bool("holidays", default: base.holidays)
        for item in try reader.list("extra_closed_dates") {
            guard let text = item as? String, let date = CalendarDate(iso: text) else {
                try reader.report("extra_closed_dates", "\"\(item)\" is not a date like 2026-12-31")
                continue
            }
            rules.extraClosedDates.insert(date)
        }
        return rules
    }

    private static func parseContact(_ reader: ConfigReader, zone: TimeZone) throws(ConfigError) -> ContactSettings {
        var base = ContactRules.dutchDefault
        base.timeZone = zone
        let shared = try parseRules(reader, base: base)
        let email = try parseRules(reader.child("email", allowed: ["enabled", "opens", "closes", "days", "holidays", "extra_closed_dates"]), base: shared)
        let sms = try parseRules(reader.child("sms", allowed: ["enabled", "opens", "closes", "days", "holidays", "extra_closed_dates"]), base: shared)
        return ContactSettings(email: email, sms: sms, spread: try reader.duration("spread", default: 900, range: DurationBounds.spread))
    }

    private static func parseEmail(_ reader: ConfigReader, environment: [String: String]) throws(ConfigError) -> EmailSettings {
        let (name, address, parsed) = try parseFrom(reader)
        let transportName = try reader.string("transport", default: "outbox")
        let transport = EmailSettings.Transport(rawValue: transportName) ?? .outbox
        if EmailSettings.Transport(rawValue: transportName) == nil {
            try reader.report("transport", "\"\(transportName.debugEscaped)\" must be smtp or outbox")
        }
        var smtp: SMTPSettings?
        if transport == .smtp || reader.has("smtp") {
            smtp = try parseSMTP(reader.child("smtp", allowed: ["url", "tls", "username", "password", "password_env", "password_file", "connections", "timeout", "connect_timeout", "verify_peer"]), environment: environment)
        }
        let domain = try reader.string("message_id_domain") ?? String(address.split(separator: "@").last ?? "koerier.local")
        var settings = EmailSettings(
            fromName: name, fromAddress: parsed, transport: transport,
            outbox: try reader.path("outbox", default: "var/outbox") ?? "",
            smtp: smtp, messageIDDomain: domain,
            replyToSender: try reader.bool("reply_to_sender", default: true)
        )
        settings.bounce = try parseBounce(reader, environment: environment)
        return settings
    }

    /// `email.from` as name, address text and checked address; a problem is reported and the default used.
    private static func parseFrom(_ reader: ConfigReader) throws(ConfigError) -> (String, String, EmailAddress) {
        let fallback = (name: "Debiteurenbeheer", address: "debiteuren@example.nl")
        let text = try reader.string("from", default: "\(fallback.name) <\(fallback.address)>")
        let written = MailboxParser.split(text)
        if written == nil {
            try reader.report("from", "\"\(text.debugEscaped)\" must look like \"Name <address@example.nl>\"")
        }
        if let (name, address) = written {
            switch EmailAddress.parse(address) {
            case .success(let parsed): return (name, address, parsed)
            case .failure(let e): try reader.report("from", "the address \(e.reason)")
            }
        }
        guard case .success(let parsed) = EmailAddress.parse(fallback.address) else {
            throw reader.fail("from", "must look like \"Name <address@example.nl>\"")  // the fallback is valid
        }
        return (fallback.name, fallback.address, parsed)
    }

    private static func parseSMTP(_ s: ConfigReader, environment: [String: String]) throws(ConfigError) -> SMTPSettings {
        let url = try s.requiredString("url")
        if !url.isEmpty && !(url.hasPrefix("smtp://") || url.hasPrefix("smtps://")) {
            try s.report("url", "\"\(url.debugEscaped)\" must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)")
        }
        let tlsName = try s.string("tls", default: "required")
        let tls = SMTPSettings.TLS(rawValue: tlsName) ?? .required
        if SMTPSettings.TLS(rawValue: tlsName) == nil {
            try s.report("tls", "\"\(tlsName.debugEscaped)\" must be required or none")
        }
        if tls == .none && !isLoopback(url) {
            try s.report("tls", "none sends mail and passwords in plain text; it is allowed only for a relay on 127.0.0.1 or localhost")
        }
        let username = try s.string("username")
        let password = try s.secret("password", environment: environment)
        if username != nil && password == nil && !s.has("password_env") && !s.has("password_file") {
            try s.report("username", "is set but no password_env or password_file is given")
        }
        return SMTPSettings(
            url: url, tls: tls, username: username, password: password,
            connections: try s.int("connections", default: 4, range: 1...64),
            timeout: try s.int("timeout", default: 60, range: 1...3600),
            connectTimeout: try s.int("connect_timeout", default: 10, range: 1...600),
            verifyPeer: try s.bool("verify_peer", default: true)
        )
    }

    private static func parseCompany(_ reader: ConfigReader) throws(ConfigError) -> CompanySettings {
        let name = try reader.string("name", default: "Voorbeeld B.V.")
        var iban = try reader.string("iban", default: "NL91ABNA0417164300")
        if !DutchFormat.isValidIBAN(iban) {
            try reader.report("iban", "\"\(iban.debugEscaped)\" is not a valid IBAN")
            iban = "NL91ABNA0417164300"
        }
        return CompanySettings(
            name: name,
            tradeName: try reader.string("trade_name", default: name),
            kvk: try reader.string("kvk", default: ""),
            vat: try reader.string("vat", default: ""),
            addressLine: try reader.string("address", default: ""),
            postcodeCity: try reader.string("postcode_city", default: ""),
            iban: DutchFormat.iban(iban),
            bic: try reader.string("bic", default: ""),
            phone: try reader.string("phone", default: ""),
            email: try reader.string("email", default: ""),
            website: try reader.string("website", default: ""),
            complaints: try reader.string("complaints", default: "Klopt een factuur niet? Neem dan contact met ons op, dan zoeken we het samen uit.")
        )
    }

    private static func parseSender(_ reader: ConfigReader) throws(ConfigError) -> SenderSettings {
        SenderSettings(
            name: try reader.string("name", default: "Afdeling Debiteurenbeheer"),
            title: try reader.string("title"),
            email: try reader.string("email"),
            phone: try reader.string("phone")
        )
    }

    private static func parseDelivery(_ reader: ConfigReader) throws(ConfigError) -> DeliverySettings {
        let r = try reader.child("retry", allowed: ["minimum_delay", "maximum_delay", "maximum_age", "maximum_attempts", "jitter"])
        var retry = RetryPolicy.standard
        retry.minimumDelay = try r.duration("minimum_delay", default: retry.minimumDelay, range: DurationBounds.retryDelay)
        retry.maximumDelay = try r.duration("maximum_delay", default: retry.maximumDelay, range: DurationBounds.retryDelay)
        retry.maximumAge = try r.duration("maximum_age", default: retry.maximumAge, range: DurationBounds.retryAge)
        retry.maximumAttempts = try r.int("maximum_attempts", default: retry.maximumAttempts, range: 1...1000)
        retry.jitter = try r.double("jitter", default: retry.jitter, range: 0...0.9)
        if retry.maximumDelay < retry.minimumDelay {
            try r.report("maximum_delay", "is shorter than minimum_delay")
            retry.maximumDelay = retry.minimumDelay
        }
        let pacing = try reader.duration("debtor_pacing", default: 0, range: DurationBounds.debtorPacing)
        return DeliverySettings(
            concurrency: try reader.int("concurrency", default: 64, range: 1...4096),
            retry: retry,
            rescanInterval: try reader.duration("rescan_interval", default: 30, range: DurationBounds.rescanInterval),
            debtorPacing: pacing > 0 ? pacing : nil,
            shutdownDeadline: try reader.duration("shutdown_deadline", default: 30, range: DurationBounds.shutdownDeadline),
            intakeBatch: try reader.int("intake_batch", default: 512, range: 1...100_000),
            sendAhead: try reader.int("send_ahead", default: 32, range: 0...1024)
        )
    }

    private static func parseStages(_ root: ConfigReader) throws(ConfigError) -> [String: StageSettings] {
        var stages: [String: StageSettings] = [:]
        guard root.has("stages") else { return stages }
        guard let map = root.map["stages"] as? [String: Any] else {
            try root.report("stages", "must be a mapping of stage names")
            return stages
        }
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            let s = try root.reader(for: value, path: "stages.\(name)", allowed: ["pay_term_days"])
            stages[name] = StageSettings(payTermDays: try s.int("pay_term_days", default: 14, range: 0...365))
        }
        return stages
    }

    private static func parseLint(_ reader: ConfigReader) throws(ConfigError) -> LintSettings {
        let legal: Set<String> = ["ingebrekestelling", "veertiendagenbrief", "laatste-aanmaning", "overdracht"]
        var phrases: [String: Set<String>] = [
            "deurwaarder": legal, "beslag": legal, "bkr": [], "incassobureau": legal,
            "rechter": legal, "gerechtelijk": legal, "dagvaarding": legal,
        ]
        if reader.has("restricted_phrases") {
            guard let map = reader.map["restricted_phrases"] as? [String: Any] else {
                try reader.report("restricted_phrases", "must map a phrase to the list of stages where it is allowed")
                return LintSettings(restrictedPhrases: phrases)
            }
            // Each listed phrase sets where it is allowed; the built-in phrases not listed keep their rule (BKR stays
            // banned unless ops list it with the stages a BKR member may name it in).
            for (phrase, stages) in map.sorted(by: { $0.key < $1.key }) {
                guard let list = stages as? [Any] else {
                    try reader.report("restricted_phrases.\(phrase)", "must be a list of stages")
                    continue
                }
                phrases[phrase.lowercased()] = Set(list.map { "\($0)" })
            }
        }
        return LintSettings(restrictedPhrases: phrases)
    }

    /// True for URLs whose host is 127.0.0.1, ::1 or localhost.
    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
    }

    /// The pay term for a stage, default 14 days.
    public func payTermDays(stage: String) -> Int { stages[stage]?.payTermDays ?? 14 }
}

/// Splits `Name <address>` into its parts.
enum MailboxParser {
    static func split(_ text: String) -> (String, String)? {
        if text.contains("\r") || text.contains("\n") { return nil }
        guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else {
            return text.contains("@") ? ("", text.trimmingSpaces) : nil
        }
        var name = String(text[..<open]).trimmingSpaces
        if name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        return (name, address)
    }
}

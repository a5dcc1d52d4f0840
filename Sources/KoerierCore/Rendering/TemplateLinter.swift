import Foundation

/// `koerier check` for templates: compiles, known variables, `u`/`je`, restricted phrases per stage,
/// the WIK wording of the consumer 14-day letter, SMS part budgets, and missing combinations.
public struct TemplateLinter: Sendable {
    /// One finding, with file and line.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Severity: String, Sendable { case error, warning }
        public var file: String
        public var line: Int
        public var severity: Severity
        public var message: String
        public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
    }

    /// The tones each stage has its own templates for; every other tone uses the stage's fallback tone
    /// (`letters.tone_fallback`). The full matrix is `matrix(now:)`.
    public static let expectedTones: [String: [String]] = [
        "vooraf": ["vriendelijk", "zakelijk"],
        "herinnering": ["vriendelijk", "zakelijk", "dringend"],
        "aanmaning": ["vriendelijk", "zakelijk", "dringend"],
        "tweede-aanmaning": ["vriendelijk", "zakelijk", "dringend"],
        "ingebrekestelling": ["formeel", "dringend"],
        "veertiendagenbrief": ["formeel"],
        "laatste-aanmaning": ["formeel", "dringend"],
        "overdracht": ["formeel", "dringend"],
        "betalingsregeling": ["vriendelijk", "zakelijk"],
        "termijnherinnering": ["vriendelijk", "zakelijk"],
        "bedankt": ["vriendelijk", "zakelijk"],
    ]

    /// Wording that counts the 14 days from the wrong moment (art. 6:96 lid 6 BW: from the day after receipt).
    public static let forbiddenWIKPhrases = ["na dagtekening", "na heden", "na verzending"]

    let store: TemplateStore
    let configuration: Configuration

    public init(store: TemplateStore, configuration: Configuration) {
        self.store = store
        self.configuration = configuration
    }

    /// All findings, errors first.
    public func lint(now: Date = Date()) -> [Finding] {
        var findings: [Finding] = []
        for (name, source) in store.sources.sorted(by: { $0.key < $1.key }) {
            findings += lintSource(name: name, source: source)
        }
        findings += lintCompany()
        findings += lintCalendar(now: now)
        findings += lintCompleteness()
        findings += matrix(now: now).compactMap(\.finding)
        findings += lintRendering(now: now)
        return findings.sorted { ($0.severity == .error ? 0 : 1, $0.file, $0.line) < ($1.severity == .error ? 0 : 1, $1.file, $1.line) }
    }

    /// The findings in the templates' own words (variables, u/je, restricted phrases such as BKR, the WIK wording),
    /// without rendering anything: cheap enough for `run` to refuse such templates at start and on reload.
    public func lintWords() -> [Finding] {
        store.sources.sorted(by: { $0.key < $1.key }).flatMap { lintSource(name: $0.key, source: $0.value) }
    }

    private func file(_ name: String) -> String { "\(store.root)/\(name).mustache" }

    /// The stage a template belongs to (`email/<stage>/...`), if any.
    static func stage(of name: String) -> String? {
        let parts = name.split(separator: "/")
        guard parts.count >= 3, parts[0] == "email" || parts[0] == "sms" else { return nil }
        return String(parts[1])
    }

    /// The 1-based line of a character offset.
    static func line(of offset: String.Index, in text: String) -> Int {
        text[..<offset].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }

    func lintSource(name: String, source: String) -> [Finding] {
        var findings: [Finding] = []
        let path = file(name)
        // Variables.
        for tag in MustacheTags.scan(source) where !tag.name.isEmpty {
            let root = tag.name
            if root == "." || root.hasPrefix("data.") || root == "data" { continue }
            if TemplateContext.knownVariables.contains(root) { continue }
            findings.append(Finding(file: path, line: tag.line, severity: .error,
                                    message: "unknown variable \"\(root)\" (see docs/templates.md for the variables a template may use)"))
        }
        let prose = MustacheTags.stripTags(source)
        let lower = prose.lowercased()
        // u and je.
        let jeForms = Self.words(["je", "jij", "jou", "jouw", "jullie"], in: lower)
        let uForms = Self.words(["u", "uw"], in: lower)
        if let first = jeForms.first, !uForms.isEmpty {
            findings.append(Finding(file: path, line: Self.line(of: first.range.lowerBound, in: lower), severity: .error,
                                    message: "mixes \"u\" and \"\(first.word)\": address the debtor with u and uw throughout"))
        } else if let first = jeForms.first {
            findings.append(Finding(file: path, line: Self.line(of: first.range.lowerBound, in: lower), severity: .error,
                                    message: "uses \"\(first.word)\": Koerier's letters address the debtor with u and uw"))
        }
        // Restricted phrases.
        if let stage = Self.stage(of: name) {
            for (phrase, allowed) in configuration.lint.restrictedPhrases.sorted(by: { $0.key < $1.key }) where !allowed.contains(stage) {
                if let range = Self.wordStart(phrase.lowercased(), in: lower) {
                    findings.append(Finding(file: path, line: Self.line(of: range.lowerBound, in: lower), severity: .error,
                                            message: "\"\(phrase)\" is not allowed in stage \(stage) (allowed in: \(allowed.isEmpty ? "no stage" : allowed.sorted().joined(separator: ", ")); lint.restricted_phrases)"))
                }
            }
            // WIK wording of the consumer 14-day letter.
            let isConsumerWIK = stage == WIKRule.stage && name.hasPrefix("email/")
                && (name.contains("/consument.") || name.contains("/standaard.")) && !name.hasSuffix(".subject")
            if isConsumerWIK {
                for phrase in Self.forbiddenWIKPhrases {
                    if let range = lower.range(of: phrase) {
                        findings.append(Finding(file: path, line: Self.line(of: range.lowerBound, in: lower), severity: .error,
                                                message: "\"\(phrase)\" counts the 14 days from the wrong day; the term runs from the day after the debtor received the letter (art. 6:96 lid 6 BW)"))
                    }
                }
                let collapsed = lower.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                if !collapsed.contains("veertien dagen") || !(collapsed.contains("dag nadat") || collapsed.contains("dag na ontvangst") || collapsed.contains("dag na bezorging")) {
                    findings.append(Finding(file: path, line: 1, severity: .error,
                                            message: "the consumer 14-day letter must give the term as \"binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd\""))
                }
                if !source.contains("collection_costs") {
                    findings.append(Finding(file: path, line: 1, severity: .error,
                                            message: "the consumer 14-day letter must state the exact collection costs ({{collection_costs}})"))
                }
            }
        }
        return findings
    }

    /// The first place `phrase` starts a word in `text` ("gerechtelijk" in "gerechtelijke", not in "buitengerechtelijke").
    static func wordStart(_ phrase: String, in text: String) -> Range<String.Index>? {
        var from = text.startIndex
        while let range = text.range(of: phrase, range: from..<text.endIndex) {
            if range.lowerBound == text.startIndex || !text[text.index(before: range.lowerBound)].isLetter { return range }
            from = text.index(after: range.lowerBound)
        }
        return nil
    }

    /// Wording that belongs to the law of one kind of debtor: a consumer never reads the commercial-interest clause,
    /// a business never reads the consumer's WIK promise (the law follows `debtor.type`, not the segment).
    public static let businessOnlyPhrases = ["6:119a", "handelstransacties", "handelsrente"]
    /// See `businessOnlyPhrases`.
    public static let consumerOnlyPhrases = ["zonder extra kosten", "dag nadat deze brief", "6:96 lid 6", "geldfit"]

    /// The phrase of the other debtor type's law that `rendered` contains, if any.
    public static func wrongLaw(_ rendered: String, debtorType: Action.Debtor.Kind) -> String? {
        let collapsed = rendered.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return (debtorType == .consumer ? businessOnlyPhrases : consumerOnlyPhrases).first { collapsed.contains($0) }
    }

    /// The places where one of `words` stands as a whole word in `text`. Walks Unicode scalars (not characters: this
    /// runs over every template at each start); a combining mark continues the word its letter began.
    static func words(_ words: Set<String>, in text: String) -> [(word: String, range: Range<String.Index>)] {
        var found: [(String, Range<String.Index>)] = []
        let scalars = text.unicodeScalars
        var start: String.Index?
        var index = scalars.startIndex
        while true {
            let inWord = index < scalars.endIndex && isWordScalar(scalars[index], continuing: start != nil)
            if inWord {
                if start == nil { start = index }
            } else if let s = start {
                let word = String(scalars[s..<index])
                if words.contains(word) { found.append((word, s..<index)) }
                start = nil
            }
            if index == scalars.endIndex { break }
            index = scalars.index(after: index)
        }
        return found
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar, continuing: Bool) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        case .nonspacingMark, .spacingMark, .enclosingMark: return continuing
        default: return false
        }
    }

    /// Every footer and every SMS names the company's phone and email; without them letters read "Bel ."
    func lintCompany() -> [Finding] {
        let company = configuration.company
        var findings: [Finding] = []
        for (key, value) in [("company.phone", company.phone), ("company.email", company.email), ("company.kvk", company.kvk),
                             ("company.address", company.addressLine), ("company.postcode_city", company.postcodeCity)] where value.isEmpty {
            findings.append(Finding(file: configuration.file, line: 0, severity: key == "company.phone" || key == "company.email" ? .error : .warning,
                                    message: "\(key) is empty, but every letter's footer (and the SMS texts) show it"))
        }
        return findings
    }

    /// Warns when the coming year's equated days are neither published (built in) nor confirmed by ops.
    func lintCalendar(now: Date) -> [Finding] {
        let seconds = Int(now.timeIntervalSince1970) + configuration.timeZone.secondsFromGMT(for: now)
        let coming = CalendarDate(dayNumber: seconds / 86_400).year + 1
        guard !configuration.calendar.isConfirmed(year: coming) else { return [] }
        let expected = EquatedDays.byRule(in: coming).map { "\($0.date) \($0.name)" }.joined(separator: ", ")
        return [Finding(file: configuration.file, line: 0, severity: .warning,
                        message: "calendar: no confirmed list of equated days for \(coming); Koerier closes the days the rule gives (\(expected)). Check the Besluit gelijkstelling for \(coming), then set calendar.years.\(coming).confirmed: true with add/remove as needed")]
    }

    /// Email templates need all three parts; every expected stage/segment/tone is reported when missing.
    func lintCompleteness() -> [Finding] {
        var findings: [Finding] = []
        let names = Set(store.sources.keys)
        for name in names.sorted() where name.hasPrefix("email/") {
            for part in [".subject", ".text", ".html"] where name.hasSuffix(part) {
                let base = String(name.dropLast(part.count))
                for other in [".subject", ".text", ".html"] where !names.contains(base + other) {
                    findings.append(Finding(file: file(name), line: 1, severity: .error,
                                            message: "\(base)\(other).mustache is missing: an email template needs subject, text and html"))
                }
            }
        }
        return findings
    }

    /// Renders every template with realistic, long sample actions: it must render, and SMS must fit its budget.
    func lintRendering(now: Date) -> [Finding] {
        var findings: [Finding] = []
        let renderer = Renderer(store: store, configuration: configuration)
        let today = renderer.localDay(now)
        for name in store.sources.keys.sorted() {
            let parts = name.split(separator: "/")
            guard parts.count == 3, parts[0] == "email" || parts[0] == "sms" else { continue }
            let channel: Action.Channel = parts[0] == "email" ? .email : .sms
            var fields = parts[2].split(separator: ".").map(String.init)
            if channel == .email {
                guard fields.last == "text" else { continue }
                fields.removeLast()
            }
            guard fields.count >= 2, let tone = Action.Tone(rawValue: fields[1]) else { continue }
            let variant = fields.count >= 3 ? fields[2] : nil
            for debtorType in [Action.Debtor.Kind.consumer, .business] where !(parts[1] == WIKRule.stage && debtorType == .business) {
                let sample = LintSamples.action(channel: channel, stage: String(parts[1]), segment: fields[0], tone: tone,
                                                debtorType: debtorType, variant: variant, today: today)
                do {
                    let output: String
                    switch channel {
                    case .email:
                        let email = try renderer.renderEmail(sample, now: now)
                        output = email.subject + "\n" + email.text + "\n" + email.html
                    case .sms:
                        output = try renderer.renderSMS(sample, now: now).plan.text
                    }
                    if let phrase = Self.wrongLaw(output, debtorType: debtorType) {
                        findings.append(Finding(file: file(name), line: 1, severity: .error,
                                                message: "rendered for a \(debtorType.rawValue) it says \"\(phrase)\", which is the law of the other debtor type; wrap it in {{#debtor.is_\(debtorType == .consumer ? "business" : "consumer")}}"))
                    }
                } catch {
                    findings.append(Finding(file: file(name), line: 1, severity: .error,
                                            message: "with a long realistic sample (\(debtorType.rawValue)): \(error.reason)"))
                    break
                }
            }
        }
        return findings
    }
}

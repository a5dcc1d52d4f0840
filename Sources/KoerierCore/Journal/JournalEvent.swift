import Foundation

/// One line of the delivery journal (CONTRACT section 3).
public struct JournalEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        case received, deferred, sending, sent, failed, rejected, cancelled, expired, delivered, undelivered, complained

        /// Terminal events end an action: exactly one per action file.
        public var isTerminal: Bool { [.sent, .failed, .rejected, .cancelled, .expired].contains(self) }
        /// `delivered`, `undelivered`, `complained`: what happened after `sent` (not terminal for the spool).
        public var isDeliveryReport: Bool { [.delivered, .undelivered, .complained].contains(self) }
    }

    public var ts: Date
    /// Filled in by the journal when the line is written.
    public var seq: UInt64 = 0
    public var action: String
    public var event: Kind
    public var channel: String?
    public var stage: String?
    public var segment: String?
    public var tone: String?
    public var debtor: String?
    public var recipient: String?
    public var attempt: Int?
    public var provider: String?
    public var template: String?
    public var templateSHA256: String?
    public var variant: String?
    public var messageID: String?
    public var code: Int?
    /// A `code` that is not a number (a DSN status such as `5.1.1`, a provider's status word); written as `code`
    /// when `code` is nil.
    public var codeText: String?
    public var detail: String?
    public var nextAttempt: Date?
    public var reason: String?
    public var tags: [String: String]?
    /// Hex SHA-256 of the exact bytes handed to the relay or provider, kept in the evidence archive (on `sent`).
    public var archiveSHA256: String?
    /// The invoice numbers a statutory 14-day letter covered (on its `sent` event), so a later letter can build on it.
    public var invoices: [String]?
    /// The spool file name of the action, so recovery can match files to history.
    public var file: String?
    /// Set on a `sending` that repeats an attempt whose outcome a crash left unknown.
    public var possibleRepeat: Bool?

    public init(ts: Date, action: String, event: Kind) {
        self.ts = ts
        self.action = action
        self.event = event
    }
}

extension JournalEvent {
    /// The event as one JSON line (without newline), fields in a fixed, readable order.
    public func jsonLine() -> String {
        var out = "{\"ts\":\"\(RFC3339.format(ts))\",\"seq\":\(seq)"
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            out += ",\"\(key)\":"
            JSONText.appendQuoted(value, to: &out)
        }
        func add(_ key: String, _ value: Int?) {
            guard let value else { return }
            out += ",\"\(key)\":\(value)"
        }
        add("action", action)
        add("event", event.rawValue)
        add("channel", channel)
        add("stage", stage)
        add("segment", segment)
        add("tone", tone)
        add("debtor", debtor)
        add("recipient", recipient)
        add("attempt", attempt)
        add("provider", provider)
        add("template", template)
        add("template_sha256", templateSHA256)
        add("variant", variant)
        add("message_id", messageID)
        add("archive_sha256", archiveSHA256)
        add("code", code)
        if code == nil { add("code", codeText) }
        add("detail", detail)
        add("next_attempt", nextAttempt.map(RFC3339.format))
        add("reason", reason)
        if let tags, !tags.isEmpty {
            out += ",\"tags\":{"
            for (index, key) in tags.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(key, to: &out)
                out += ":"
                JSONText.appendQuoted(tags[key] ?? "", to: &out)
            }
            out += "}"
        }
        if let invoices, !invoices.isEmpty {
            out += ",\"invoices\":["
            for (index, number) in invoices.enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(number, to: &out)
            }
            out += "]"
        }
        add("file", file)
        if possibleRepeat == true { out += ",\"possible_repeat\":true" }
        out += "}"
        return out
    }

    /// Reads a journal line back; `nil` when it is not a journal event.
    public init?(jsonLine line: some Collection<UInt8>) {
        guard case .object(let o)? = try? JSONParser.parse(Array(line)),
              case .string(let ts)? = o["ts"], let date = RFC3339.parse(ts),
              case .string(let action)? = o["action"],
              case .string(let eventName)? = o["event"], let kind = Kind(rawValue: eventName)
        else { return nil }
        func string(_ key: String) -> String? {
            if case .string(let s)? = o[key] { return s }
            return nil
        }
        func int(_ key: String) -> Int? {
            if case .number(let n)? = o[key] { return Int(n) }
            return nil
        }
        self.init(ts: date, action: action, event: kind)
        if case .number(let n)? = o["seq"] { seq = UInt64(n) ?? 0 }
        channel = string("channel")
        stage = string("stage")
        segment = string("segment")
        tone = string("tone")
        debtor = string("debtor")
        recipient = string("recipient")
        attempt = int("attempt")
        provider = string("provider")
        template = string("template")
        templateSHA256 = string("template_sha256")
        variant = string("variant")
        messageID = string("message_id")
        archiveSHA256 = string("archive_sha256")
        code = int("code")
        codeText = string("code")
        detail = string("detail")
        nextAttempt = string("next_attempt").flatMap(RFC3339.parse)
        reason = string("reason")
        if case .object(let t)? = o["tags"] {
            tags = t.compactMapValues { if case .string(let s) = $0 { return s } else { return nil } }
        }
        if case .array(let list)? = o["invoices"] {
            invoices = list.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
        }
        file = string("file")
        if case .bool(true)? = o["possible_repeat"] { possibleRepeat = true }
    }
}

import Foundation

/// What the feedback desk knows about sent actions, as a pure value: for each action in the journal window its
/// `sent` event (the fields later events carry) and its `DeliveryStatus`; ids and provider message ids are keyed by
/// their 64-bit FNV-1a hash, and the number of actions kept is capped (oldest `sent` forgotten first).
public struct FeedbackBook: Sendable {
    /// One sent action, kept small (the book holds up to `capacity` of them for the whole window): what a
    /// delivery event repeats from its `sent` event, and how to find it by its provider message id.
    public struct Entry: Sendable, Equatable {
        /// What the events after `sent` repeat.
        public var sent: Sent
        /// Where its delivery status stands.
        public var status: DeliveryStatus
    }

    /// The fields of a `sent` event that a delivery event carries (ids are short; no template, recipient or tags).
    public struct Sent: Sendable, Equatable {
        public var action: String
        public var channel: String?
        public var provider: String?
        public var debtor: String?
        /// FNV-1a of the provider's message id, to forget its index entry with the action.
        public var messageIDHash: UInt64?

        init(_ event: JournalEvent) {
            action = event.action
            channel = event.channel
            provider = event.provider
            debtor = event.debtor
            messageIDHash = event.messageID.flatMap { $0.isEmpty ? nil : StableHash.fnv1a64($0) }
        }
    }

    /// What to do with a report.
    public enum Decision: Sendable, Equatable {
        /// Journal this event; `commit` it into the book once it is durable.
        case record(JournalEvent, DeliveryStatus)
        /// One part of several delivered: nothing to journal; `commit` the count.
        case partCounted(actionID: String, DeliveryStatus)
        /// Nothing to journal.
        case ignore(why: String)
        /// The action is not sent yet (as far as the window shows): keep the report until it is.
        case hold
        /// No action matches and the report names none we could wait for.
        case unknown(why: String)
    }

    /// Actions kept at most.
    public let capacity: Int
    private var entries: [UInt64: Entry] = [:]
    private var byMessageID: [UInt64: UInt64] = [:]
    /// Insertion order of `entries`, for forgetting the oldest.
    private var order: [UInt64] = []
    private var orderStart = 0

    /// An empty book that keeps at most `capacity` actions.
    public init(capacity: Int = 200_000) {
        self.capacity = max(1, capacity)
    }

    /// Actions known now.
    public var count: Int { entries.count }

    /// The entry of an action id, if known.
    public func entry(actionID: String) -> Entry? { entries[StableHash.fnv1a64(actionID)] }

    /// The action id whose FNV-1a hash is `hash` (a long id in a VERP token), if known.
    public func actionID(hash: UInt64) -> String? { entries[hash]?.sent.action }

    /// Folds a journal event in (read at start, or written live by the dispatcher or the desk).
    public mutating func apply(_ event: JournalEvent) {
        let key = StableHash.fnv1a64(event.action)
        switch event.event {
        case .sent:
            var status = entries[key]?.status ?? DeliveryStatus()
            status.sent()
            if entries[key] == nil { remember(key) }
            let sent = Sent(event)
            entries[key] = Entry(sent: sent, status: status)
            if let hash = sent.messageIDHash { byMessageID[hash] = key }
        case .delivered, .undelivered, .complained:
            guard var entry = entries[key] else { return }
            switch event.event {
            case .delivered: _ = entry.status.handle(.delivered(part: nil))
            case .undelivered: _ = entry.status.handle(.undelivered(code: "", detail: ""))
            default: _ = entry.status.handle(.complained(detail: ""))
            }
            entries[key] = entry
        default:
            break
        }
    }

    /// Replaces an action's status (a counted part, or a decision now durable).
    public mutating func commit(actionID: String, status: DeliveryStatus) {
        let key = StableHash.fnv1a64(actionID)
        entries[key]?.status = status
    }

    /// The action a report is about: its id, else the reference (the id itself, or `prefix-<16 hex of the id's
    /// hash>` as `SMSReference.derive` shortens long ids), else the provider's message id.
    public func find(_ match: FeedbackReport.Match) -> UInt64? {
        if let id = match.actionID, entries[StableHash.fnv1a64(id)] != nil { return StableHash.fnv1a64(id) }
        if let reference = match.reference, !reference.isEmpty {
            if entries[StableHash.fnv1a64(reference)] != nil { return StableHash.fnv1a64(reference) }
            if reference.utf8.count >= 17, let dash = reference.lastIndex(of: "-") {
                let hex = reference[reference.index(after: dash)...]
                if hex.utf8.count == 16, let hash = UInt64(hex, radix: 16), entries[hash] != nil { return hash }
            }
        }
        if let messageID = match.providerMessageID, !messageID.isEmpty, let key = byMessageID[StableHash.fnv1a64(messageID)] {
            return key
        }
        return nil
    }

    /// Decides what `report` means, at `now`. The book is not changed: `commit` what was made durable.
    public func decide(_ report: FeedbackReport, now: Date) -> Decision {
        guard let key = find(report.match), let entry = entries[key] else {
            if report.match.actionID != nil || report.match.reference != nil || report.match.providerMessageID != nil {
                return .hold
            }
            return .unknown(why: "the report names no action, reference or message id")
        }
        var status = entry.status
        if let parts = report.parts, parts > status.parts, parts <= 255, status.state == .sent, status.deliveredParts.isEmpty {
            status = DeliveryStatus(state: .sent, parts: parts)
        }
        switch status.handle(report.report) {
        case .hold:
            return .hold
        case .ignore(let why):
            return .ignore(why: why)
        case .partCounted:
            return .partCounted(actionID: entry.sent.action, status)
        case .record(let kind):
            return .record(Self.event(kind, for: entry.sent, report: report, now: now), status)
        }
    }

    /// The event for a report: the action, channel, provider and debtor of its `sent` event (`koerier journal
    /// --action` shows the rest), the report's code and text.
    static func event(_ kind: JournalEvent.Kind, for sent: Sent, report: FeedbackReport, now: Date) -> JournalEvent {
        var e = JournalEvent(ts: now, action: sent.action, event: kind)
        e.channel = sent.channel
        e.debtor = sent.debtor
        e.provider = sent.provider
        switch report.report {
        case .undelivered(let code, let detail):
            e.codeText = report.code ?? code
            e.detail = report.detail ?? detail
        case .complained(let detail):
            e.codeText = report.code
            e.detail = report.detail ?? detail
        default:
            e.codeText = report.code
            e.detail = report.detail
        }
        if e.codeText?.isEmpty == true { e.codeText = nil }
        if e.detail?.isEmpty == true { e.detail = nil }
        return e
    }

    /// Notes a new key and forgets the oldest when over capacity.
    private mutating func remember(_ key: UInt64) {
        order.append(key)
        while entries.count >= capacity, orderStart < order.count {
            let old = order[orderStart]
            orderStart += 1
            if let gone = entries.removeValue(forKey: old), let hash = gone.sent.messageIDHash {
                byMessageID[hash] = nil
            }
        }
        if orderStart > 4096 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}

/// What happened after `sent`, as a pure state machine: delivery reports (SMS) and bounces or complaints (email).
///
/// CONTRACT section 3: a status only moves forward. After `delivered` or `undelivered` no other delivery status is
/// journalled; a report that repeats one already journalled adds no event; a report that comes before the action's
/// `sent` is kept until `sent` is journalled. A multi-part SMS is `delivered` only when every part is; one part that
/// did not arrive makes the message `undelivered`. `ActionLifecycle` ends with the spool; this carries on after it.
public struct DeliveryStatus: Sendable, Equatable {
    /// Where the action stands.
    public enum State: Sendable, Equatable {
        /// No `sent` event yet (reports wait).
        case notSent
        case sent
        case delivered
        case undelivered
        case complained
    }

    /// One report from a provider, relay or mailbox.
    public enum Report: Sendable, Equatable {
        /// A part (or the whole message, `part` nil) reached the handset or mailbox.
        case delivered(part: String?)
        /// It did not arrive: the provider's status or DSN code and its text.
        case undelivered(code: String, detail: String)
        /// The recipient reported the email as spam (RFC 5965).
        case complained(detail: String)
        /// Still trying (DSN `Action: delayed`, an SMS "buffered"): changes nothing.
        case delayed
    }

    /// What to do with a report.
    public enum Decision: Sendable, Equatable {
        /// Journal this event (the report moves the status forward).
        case record(JournalEvent.Kind)
        /// Count this part; the message is not complete yet.
        case partCounted
        /// Nothing to journal: `why` for the log (a repeat, a step backwards, a delay).
        case ignore(why: String)
        /// Keep the report until the action's `sent` is journalled.
        case hold
    }

    public private(set) var state: State
    /// Parts the provider split the message into (1 for email and single-part SMS).
    public let parts: Int
    /// Parts reported delivered so far, by the provider's part id.
    public private(set) var deliveredParts: Set<String> = []

    public init(state: State = .notSent, parts: Int = 1) {
        self.state = state
        self.parts = max(1, parts)
    }

    /// The status after the action's `sent` event is journalled.
    public mutating func sent() {
        if state == .notSent { state = .sent }
    }

    /// Decides what `report` means and moves the status when it is recorded.
    public mutating func handle(_ report: Report) -> Decision {
        switch (state, report) {
        case (_, .delayed):
            return .ignore(why: "a delay report changes nothing")
        case (.notSent, _):
            return .hold
        case (.delivered, _), (.undelivered, _):
            return .ignore(why: "the delivery status is already \(state == .delivered ? "delivered" : "undelivered"); it only moves forward")
        case (.complained, .complained):
            return .ignore(why: "the complaint is already journalled")
        case (.complained, _):
            return .ignore(why: "a complaint is already journalled for this message")
        case (.sent, .delivered(let part)):
            deliveredParts.insert(part ?? "whole")
            if part == nil || deliveredParts.count >= parts {
                state = .delivered
                return .record(.delivered)
            }
            return .partCounted
        case (.sent, .undelivered):
            state = .undelivered
            return .record(.undelivered)
        case (.sent, .complained):
            state = .complained
            return .record(.complained)
        }
    }
}

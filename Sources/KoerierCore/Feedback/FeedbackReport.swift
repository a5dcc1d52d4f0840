import Foundation

/// One report about a message after it was sent, normalised from wherever it came: an SMS provider's delivery report
/// (`/dlr/<provider>`), an email bounce (RFC 3464 / RFC 6533) or a complaint (RFC 5965) read by `koerier bounce`.
/// Everything in it was checked where it entered (authenticated, parsed, numbers range-checked).
public struct FeedbackReport: Sendable, Equatable {
    /// Where it came from: the SMS provider's configured `name`, or `email` for bounces and complaints.
    public var source: String
    /// How to find the action: at least one of these is set.
    public var match: Match
    /// What it says.
    public var report: DeliveryStatus.Report
    /// The provider's own status word or the DSN `Status` (for the journal's `code`), e.g. `delivered`, `5.1.1`.
    public var code: String?
    /// The provider's error text or the DSN `Diagnostic-Code` (for the journal's `detail`), secrets removed.
    public var detail: String?
    /// A multi-part SMS: how many parts the provider says the message has (nil: one, or unknown).
    public var parts: Int?

    /// The keys that tie a report to an action.
    public struct Match: Sendable, Equatable {
        /// The action id, when the report carries it (an authenticated VERP token, or our reference where it is the id).
        public var actionID: String?
        /// The reference Koerier sent in the provider's reference field (may be a derivation of the action id).
        public var reference: String?
        /// The provider's message id, as journalled in `message_id` on `sent`.
        public var providerMessageID: String?

        public init(actionID: String? = nil, reference: String? = nil, providerMessageID: String? = nil) {
            self.actionID = actionID
            self.reference = reference
            self.providerMessageID = providerMessageID
        }
    }

    public init(source: String, match: Match, report: DeliveryStatus.Report, code: String? = nil, detail: String? = nil, parts: Int? = nil) {
        self.source = source
        self.match = match
        self.report = report
        self.code = code
        self.detail = detail
        self.parts = parts
    }
}

/// What became of a report handed to a `FeedbackSink`. Every case but `failed` is durable when it is returned:
/// the listener answers the provider 2xx for those, and 5xx for `failed` so the provider sends it again.
public enum FeedbackAcceptance: Sendable, Equatable {
    /// An event (`delivered`, `undelivered`, `complained`) is in the journal.
    case recorded(JournalEvent.Kind)
    /// Nothing to journal (a repeat, a step backwards, a delay, one part of several): `why` for the log and metrics.
    case ignored(why: String)
    /// The action is not sent yet (or not known yet): the report is kept durably until it is.
    case held
    /// The action is unknown and will stay so (no such action, a forged or expired token): logged, counted, no event.
    case unknown(why: String)
    /// It could not be made durable now (the journal cannot be written): the sender should try again later.
    case failed(why: String)
}

/// Takes reports in: the daemon's feedback desk in production, a recording fake in the listener's tests.
public protocol FeedbackSink: Sendable {
    /// Matches the report to its action and records what it means; returns once that is durable.
    func accept(_ report: FeedbackReport) async -> FeedbackAcceptance
}

import Foundation

/// The answer of a relay or provider to one attempt, classified once where it enters the domain.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Taken: the message is on its way.
    case accepted(code: Int?, detail: String, messageID: String?)
    /// Not taken now; trying again later may work (4xx, connection failure, 5xx from an HTTP API, 429).
    case temporary(code: Int?, detail: String, retryAfter: TimeInterval?)
    /// Never going to be taken (5xx from a relay, invalid number, opted out).
    case permanent(code: Int?, detail: String)
    /// The request went out but no answer came back: it may or may not have been taken.
    case unknown(detail: String)

    /// The transport's permit was refused: nothing went out.
    public static let withheld = DeliveryOutcome.temporary(code: nil, detail: "not sent: the attempt could not be journalled", retryAfter: nil)
}

/// Called by a transport once per attempt, when the message is next in line for a connection or a provider's slot
/// (at most `delivery.send_ahead` per relay or provider wait there with it; with `send_ahead` 0, once the connection
/// or slot is taken, right before the first byte). It makes the `sending` event durable; when it returns false
/// (the journal cannot be written and Koerier is stopping) the transport sends nothing and returns at once.
/// A transport that gives up before that point (every provider paused) never calls it.
public typealias SendPermit = @Sendable () async -> Bool

/// Sends email messages; implementations live in KoerierTransports.
public protocol EmailTransport: Sendable {
    /// A short name for the journal's `provider` field (`smtp`, `outbox`).
    var name: String { get }
    /// Sends one message; `permit` is called before its bytes go out (see `SendPermit`).
    func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome
    /// Lets in-flight sends end and releases connections.
    func shutdown() async
}

/// One SMS to send, as the domain sees it.
public struct OutgoingSMS: Sendable, Equatable {
    public var actionID: String
    /// E.164 recipient.
    public var to: String
    public var from: String
    public var text: String
    public var unicode: Bool
    public var parts: Int

    public init(actionID: String, to: String, from: String, text: String, unicode: Bool, parts: Int) {
        self.actionID = actionID
        self.to = to
        self.from = from
        self.text = text
        self.unicode = unicode
        self.parts = parts
    }
}

/// What the SMS transport reports: the outcome and the provider that gave it.
public struct SMSResult: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    public var provider: String
    /// The provider may have taken the message although the outcome says otherwise (no answer, and a lookup that
    /// found nothing yet): the next attempt must ask the provider first and is marked as a possible repeat.
    public var possiblyTaken: Bool
    /// The request body that was sent to `provider` (for the evidence archive), when one went out.
    public var requestBody: [UInt8]?

    public init(outcome: DeliveryOutcome, provider: String, possiblyTaken: Bool = false, requestBody: [UInt8]? = nil) {
        self.outcome = outcome
        self.provider = provider
        self.possiblyTaken = possiblyTaken
        self.requestBody = requestBody
    }
}

/// Sends SMS through the configured providers, failing over only when a provider certainly did not take it.
public protocol SMSTransport: Sendable {
    /// Sends one SMS; `permit` is called once, before the first request goes out (see `SendPermit`).
    func send(_ sms: OutgoingSMS, permit: @escaping SendPermit) async -> SMSResult
    /// Asks the providers whether they have a message for this action (after a crash left it ambiguous):
    /// `.accepted` when one has it; `.temporary` when every provider certainly does not (resending is safe);
    /// `.unknown` when a lookup gave no clear answer (ask again later); `nil` when some provider cannot be asked.
    func lookup(actionID: String) async -> SMSResult?
    /// When no provider can take a message now (all paused after provider problems): the moment the first
    /// pause ends. `nil` when a provider is available. Nothing is attempted (or journalled as `sending`) meanwhile.
    func unavailableUntil() async -> Date?
    func shutdown() async
}

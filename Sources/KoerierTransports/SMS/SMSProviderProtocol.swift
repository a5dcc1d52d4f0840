import KoerierCore

/// An HTTP request as a provider wants it, built without touching the network.
public struct HTTPRequestSpec: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Header name and value pairs, in order.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP header line.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP response as it came back from a provider.
public struct HTTPResponseSpec: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The class of a provider's answer, decided once where the response enters the domain.
public enum SMSOutcome: Sendable, Equatable {
    /// The provider took the message.
    case accepted(messageID: String?, detail: String)
    /// Temporary: try again later (5xx, 429, throttling). `retryAfter` in seconds when the provider said so.
    case retryLater(retryAfter: Int?, detail: String)
    /// The provider cannot send anything now (authentication, balance): pause it, fail over; the message did not go out.
    case providerProblem(detail: String)
    /// This message can never be sent (invalid number, blacklisted, opted out).
    case permanent(detail: String)
}

/// What a lookup by reference found out about an earlier, ambiguous request.
public enum SMSLookupOutcome: Sendable, Equatable {
    /// The provider has the message: it was accepted.
    case found(messageID: String?, status: String)
    /// The provider certainly does not have it.
    case notFound
    /// The lookup itself did not give a clear answer.
    case unknown(detail: String)
}

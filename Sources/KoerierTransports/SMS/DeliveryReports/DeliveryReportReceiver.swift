import Foundation
import KoerierCore
import Logging
import Synchronization

/// Takes `/dlr/<name>` requests: finds the provider, has its codec authenticate and parse the report, hands the
/// report to the feedback sink and says what to answer. No HTTP server in here (the listener adapts it), so it is
/// tested with plain values.
public final class DeliveryReportReceiver: Sendable {
    /// One configured provider as the receiver needs it.
    public struct Provider: Sendable {
        /// The codec for its kind.
        public var codec: any DeliveryReportCodec
        /// The secret its reports are authenticated with (Twilio: the auth token; else `report_secret`); nil: none set.
        public var secret: String?

        /// A provider entry.
        public init(codec: any DeliveryReportCodec, secret: String?) {
            self.codec = codec
            self.secret = secret
        }
    }

    /// The answer to give the provider.
    public struct Answer: Sendable, Equatable {
        /// The HTTP status.
        public var status: Int
        /// A one-line text body (never a secret).
        public var body: String
        /// The counter this request falls under: `delivered`, `undelivered`, `ignored`, `held`, `unknown`,
        /// `failed`, `unauthenticated`, `malformed`, `no_such_provider`, `not_configured`.
        public var result: String
    }

    private let providers: [String: Provider]
    private let sink: any FeedbackSink
    private let logger: Logger
    private let counts = Mutex<[String: [String: Int]]>([:])

    /// A receiver for `providers` (by configured name) that hands reports to `sink`.
    public init(providers: [String: Provider], sink: any FeedbackSink, logger: Logger) {
        self.providers = providers
        self.sink = sink
        self.logger = logger
    }

    /// The providers of an SMS configuration: Twilio's reports are signed with its auth token, the others' with `report_secret`.
    public static func providers(_ configs: [Configuration.SMSProviderSettingsConfig]) -> [String: Provider] {
        var result: [String: Provider] = [:]
        for config in configs {
            guard let codec = DeliveryReportCodecs.codec(kind: config.kind) else { continue }
            result[config.name] = Provider(codec: codec, secret: config.kind == "twilio" ? config.secret : config.reportSecret)
        }
        return result
    }

    /// Requests counted by provider name and `Answer.result` since start (for /metrics; provider names are few).
    public var counted: [String: [String: Int]] { counts.withLock { $0 } }

    /// Handles one request for provider `name`.
    public func receive(name: String, request: DeliveryReportRequest, now: Date = Date()) async -> Answer {
        let answer = await decide(name: name, request: request, now: now)
        counts.withLock { $0[providers[name] == nil ? "-" : name, default: [:]][answer.result, default: 0] += 1 }
        return answer
    }

    private func decide(name: String, request: DeliveryReportRequest, now: Date) async -> Answer {
        guard let provider = providers[name] else {
            return Answer(status: 404, body: "no such provider", result: "no_such_provider")
        }
        guard let secret = provider.secret, !secret.isEmpty else {
            logger.warning("delivery report refused: no report secret configured", metadata: ["delivery.provider": "\(name)"])
            return Answer(status: 403, body: "delivery reports are not configured for this provider", result: "not_configured")
        }
        switch provider.codec.read(request, source: name, secret: secret, now: now) {
        case .unauthenticated(let why):
            logger.warning("delivery report failed authentication", metadata: ["delivery.provider": "\(name)", "reason": "\(why)"])
            return Answer(status: 403, body: "forbidden", result: "unauthenticated")
        case .malformed(let why):
            logger.notice("delivery report not understood", metadata: ["delivery.provider": "\(name)", "reason": "\(why)"])
            return Answer(status: 400, body: "bad report: \(why)", result: "malformed")
        case .report(let report):
            return Self.answer(await sink.accept(report))
        }
    }

    /// What to answer for what the sink made of a report: 2xx once it is durable (or means nothing), 503 when it
    /// could not be made durable (the provider sends it again).
    public static func answer(_ acceptance: FeedbackAcceptance) -> Answer {
        switch acceptance {
        case .recorded(let kind): Answer(status: 200, body: "recorded \(kind.rawValue)", result: kind.rawValue)
        case .ignored: Answer(status: 200, body: "ignored", result: "ignored")
        case .held: Answer(status: 200, body: "held until sent", result: "held")
        case .unknown: Answer(status: 200, body: "unknown message", result: "unknown")
        case .failed: Answer(status: 503, body: "cannot record now; send it again later", result: "failed")
        }
    }
}

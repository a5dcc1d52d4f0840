import Foundation

/// Everything ops configure, loaded and validated once (CONTRACT section 5; annotated in `Config/koerier.yaml`).
public struct Configuration: Sendable {
    /// The file it was loaded from.
    public var file: String
    public var spool: String
    public var journal: String
    public var templates: String
    public var attachments: String
    public var timeZone: TimeZone
    public var contact: ContactSettings
    public var email: EmailSettings
    public var sms: SMSSettings
    public var company: CompanySettings
    public var defaultSender: SenderSettings
    public var delivery: DeliverySettings
    public var stages: [String: StageSettings]
    public var lint: LintSettings
    /// Where to write Prometheus metrics every 15 seconds (nil: not written).
    public var metricsFile: String?
    /// The evidence archive: the exact bytes of every message sent (nil: off).
    public var archive: ArchiveSettings?
    /// The HTTP listener (nil: none).
    public var http: HTTPSettings?
    /// The Atw calendar with ops' corrections per year (`calendar:`); also inside `contact`'s rules.
    public var calendar: DutchCalendar = .standard
    /// What letters may say and which template serves a tone (`letters:`).
    public var letters: LetterSettings = LetterSettings()

    /// Dutch contact rules and how a burst at opening time is spread.
    public struct ContactSettings: Sendable {
        public var email: ContactRules
        public var sms: ContactRules
        /// Seconds over which actions deferred to the same opening are spread.
        public var spread: TimeInterval

        public func rules(for channel: Action.Channel) -> ContactRules { channel == .email ? email : sms }
    }

    /// Outgoing email.
    public struct EmailSettings: Sendable {
        public enum Transport: String, Sendable { case smtp, outbox }
        /// The From header, e.g. `Debiteurenbeheer Voorbeeld B.V. <debiteuren@voorbeeld.nl>`.
        public var fromName: String
        public var fromAddress: EmailAddress
        public var transport: Transport
        public var outbox: String
        public var smtp: SMTPSettings?
        /// Domain used on the right of generated Message-IDs.
        public var messageIDDomain: String
        /// Put the account manager in Reply-To, so answers reach the person the debtor knows.
        public var replyToSender: Bool
        /// `email.bounce`: the VERP envelope sender and its key (nil: the envelope sender is `from`).
        public var bounce: BounceSettings? = nil
    }

    /// The SMTP relay.
    public struct SMTPSettings: Sendable {
        public enum TLS: String, Sendable { case required, none }
        public var url: String
        public var tls: TLS
        public var username: String?
        /// The secret itself, read from `password_env` or `password_file`; never logged.
        public var password: String?
        public var connections: Int
        public var timeout: Int
        public var connectTimeout: Int
        public var verifyPeer: Bool
    }

    /// The SMS channel.
    public struct SMSSettings: Sendable {
        public var sender: String
        public var providers: [SMSProviderSettingsConfig]
        public var maximumParts: Int
        public var transliterate: Bool
        /// Payment links in SMS must point at this domain (nil: no check).
        public var paymentDomain: String?
        /// What to do with an SMS whose outcome is unknown after a crash: fail (default) or resend.
        public var ambiguousResend: Bool
    }

    /// The company's identity, printed in every footer.
    public struct CompanySettings: Sendable {
        public var name: String
        public var tradeName: String
        public var kvk: String
        public var vat: String
        public var addressLine: String
        public var postcodeCity: String
        public var iban: String
        public var bic: String
        public var phone: String
        public var email: String
        public var website: String
        public var complaints: String
    }

    /// The default account manager when an action names none.
    public struct SenderSettings: Sendable {
        public var name: String
        public var title: String?
        public var email: String?
        public var phone: String?
    }

    /// How work is scheduled and retried.
    public struct DeliverySettings: Sendable {
        public var concurrency: Int
        public var retry: RetryPolicy
        public var rescanInterval: TimeInterval
        /// At most one message per debtor within this interval (nil: off).
        public var debtorPacing: TimeInterval?
        public var shutdownDeadline: TimeInterval
        /// Actions claimed from new/ and held in memory at most.
        public var intakeBatch: Int
        /// Sends that may have their `sending` journalled while they wait for a connection (per SMTP relay and per SMS
        /// provider): they share the journal's fsyncs with the sends ahead of them. A crash leaves at most this many
        /// plus the connections in doubt.
        public var sendAhead: Int = 32
    }

    /// Per-stage settings.
    public struct StageSettings: Sendable {
        /// Days the debtor gets to pay, for `pay_by`.
        public var payTermDays: Int
    }

    /// Template checks done by `koerier check`.
    public struct LintSettings: Sendable {
        /// Phrases allowed only in the listed stages.
        public var restrictedPhrases: [String: Set<String>]
    }
}

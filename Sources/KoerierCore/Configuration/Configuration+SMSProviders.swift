import Foundation

extension Configuration {
    /// One SMS provider as configured and checked for its kind; the secret is already resolved.
    ///
    /// Everything a provider needs is typed here and checked when the file is loaded, so building the
    /// transport from it cannot fail on a setting. The secret never appears in `description`.
    public struct SMSProviderSettingsConfig: Sendable, Equatable, CustomStringConvertible {
        /// The configured name, unique among the providers (default: the kind).
        public var name: String
        /// Base URL of the provider's API (https://, or http:// on loopback); empty: the kind's production URL.
        public var url: String
        /// The token / auth token / API secret, from `token_env` or `token_file`; nil only for `http`.
        public var secret: String?
        /// Requests in flight at most.
        public var concurrency: Int
        /// Requests started per second at most.
        public var ratePerSecond: Double
        /// Seconds for one HTTP exchange.
        public var timeout: Int
        /// The kind and the settings only that kind has.
        public var options: SMSProviderOptions
        /// What authenticates this provider's delivery reports, from `report_secret_env` or `report_secret_file`:
        /// MessageBird's signing key, Vonage's signature secret, or the URL token of CM, Spryng and `http`.
        /// Twilio signs with the auth token (`secret`). Never logged.
        public var reportSecret: String? = nil
        /// Where this provider sends delivery reports: `http.public_url` + `/dlr/<name>` (nil: no `public_url`).
        public var reportURL: String? = nil

        /// A provider entry; `SMSProviderOptions` carries the kind.
        public init(
            name: String, url: String, secret: String?, concurrency: Int, ratePerSecond: Double, timeout: Int,
            options: SMSProviderOptions
        ) {
            self.name = name
            self.url = url
            self.secret = secret
            self.concurrency = concurrency
            self.ratePerSecond = ratePerSecond
            self.timeout = timeout
            self.options = options
        }

        /// The configuration `kind`: messagebird, cm, spryng, twilio, vonage or http.
        public var kind: String { options.kind.rawValue }

        /// Name, kind and URL; never the secret.
        public var description: String { "\(name) (\(kind), \(url))" }
    }

    /// The settings that belong to one provider kind, and only to it.
    public enum SMSProviderOptions: Sendable, Equatable {
        /// MessageBird: token only.
        case messagebird
        /// CM.com: product token only.
        case cm
        /// Spryng: the route (`business` when nil, or a custom route id).
        case spryng(route: String?)
        /// Twilio: the Account SID, and a status-callback URL for delivery reports (nil: none).
        case twilio(account: String, statusCallback: String?)
        /// Vonage: the API key (`account`).
        case vonage(account: String)
        /// Any other gateway, described request by request.
        case http(GenericHTTPSMSSettings)

        /// The kind these options belong to.
        public var kind: SMSProviderKind {
            switch self {
            case .messagebird: .messagebird
            case .cm: .cm
            case .spryng: .spryng
            case .twilio: .twilio
            case .vonage: .vonage
            case .http: .http
            }
        }
    }

    /// The provider kinds `sms.providers[].kind` accepts.
    public enum SMSProviderKind: String, Sendable, CaseIterable {
        case messagebird, cm, spryng, twilio, vonage, http

        /// The keys an entry of this kind may have besides the shared ones.
        public var ownKeys: Set<String> {
            switch self {
            case .messagebird, .cm: []
            case .spryng: ["route"]
            case .twilio: ["account", "status_callback"]
            case .vonage: ["account"]
            case .http: ["account", "method", "path", "headers", "body", "body_encoding", "success_status", "id_path"]
            }
        }

        /// The keys every entry may have.
        public static let sharedKeys: Set<String> = [
            "name", "kind", "url", "token", "token_env", "token_file", "concurrency", "rate_per_second", "timeout",
            "report_secret", "report_secret_env", "report_secret_file",
        ]
    }

    /// The generic `http` provider: one request per message, built from templates.
    public struct GenericHTTPSMSSettings: Sendable, Equatable {
        /// How placeholder values are escaped in the body.
        public enum BodyEncoding: String, Sendable, CaseIterable {
            /// JSON-string-escaped; the template writes the quotes.
            case json
            /// Form-url-encoded.
            case form
        }

        /// One extra request header; the value may hold placeholders.
        public struct Header: Sendable, Equatable {
            public var name: String
            public var value: String

            /// A header `name: value`.
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        /// Placeholders the templates may use, written `{{name}}`.
        public static let placeholders: Set<String> = [
            "to", "to_digits", "from", "text", "reference", "token", "account", "unicode", "parts",
        ]

        /// Upper-case HTTP method, POST by default.
        public var method: String
        /// Path appended to the URL, or a full http(s):// URL template.
        public var path: String
        /// Extra headers, in the order written.
        public var headers: [Header]
        /// Body template (nil: a default body with to, from, text and reference).
        public var body: String?
        /// How values are escaped in the body.
        public var bodyEncoding: BodyEncoding
        /// HTTP statuses that mean "accepted".
        public var successStatus: ClosedRange<Int>
        /// Dotted path of the message id in a JSON answer, such as `messages.0.id`.
        public var idPath: String?
        /// A non-secret account id for the `{{account}}` placeholder.
        public var account: String?

        /// Settings for the generic provider; only `path` has no default.
        public init(
            method: String = "POST", path: String, headers: [Header] = [], body: String? = nil,
            bodyEncoding: BodyEncoding = .json, successStatus: ClosedRange<Int> = 200...299,
            idPath: String? = nil, account: String? = nil
        ) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
            self.bodyEncoding = bodyEncoding
            self.successStatus = successStatus
            self.idPath = idPath
            self.account = account
        }
    }
}

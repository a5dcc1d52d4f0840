import Foundation

/// How the generic `http` provider encodes placeholder values in its body template.
public enum SMSBodyEncoding: String, Sendable, Equatable, CaseIterable {
    /// Values are JSON-string-escaped (the template writes the quotes: `"text": "{{text}}"`).
    case json
    /// Values are form-url-encoded (`to={{to}}&text={{text}}`).
    case form
}

/// What a provider codec needs besides the message: where to send it and how to authenticate.
///
/// `secret` is the token / auth token / API secret / product token, read by the caller from the
/// environment or a file. It is never part of `description`, `debugDescription` or a mirror, so printing
/// or logging the settings cannot leak it.
public struct SMSProviderSettings: Sendable, Equatable {
    /// Base URL of the provider API, e.g. `https://rest.messagebird.com` (no path; overridable for tests).
    public var baseURL: String
    /// The secret credential. Never logged.
    public var secret: String
    /// Not secret: Twilio Account SID, Vonage `api_key`.
    public var account: String?

    /// Spryng: the route (`business` by default, or a custom route id).
    public var route: String?
    /// Twilio: a status-callback URL; when set, the reference is added to it as `reference=<ref>` so
    /// delivery reports can be matched (Twilio has no client reference field of its own).
    public var statusCallbackURL: String?
    /// MessageBird (`reportUrl`) and Vonage (`callback`): the delivery-report URL sent with each message
    /// (`http.public_url` + `/dlr/<name>`); nil: the account's setting applies.
    public var reportURL: String?

    // Generic `http` provider.

    /// HTTP method, `POST` by default.
    public var method: String
    /// Path appended to `baseURL`, or a full `http(s)://` URL. Placeholders are percent-encoded.
    public var path: String?
    /// Extra headers; values may contain placeholders such as `{{token}}`.
    public var headers: [HTTPHeader]
    /// Body template with `{{to}}`, `{{to_digits}}`, `{{from}}`, `{{text}}`, `{{reference}}`, `{{token}}`,
    /// `{{account}}`, `{{unicode}}`, `{{parts}}`. Nil: a default body with to, from, text and reference.
    public var bodyTemplate: String?
    /// How placeholder values in `bodyTemplate` are escaped.
    public var bodyEncoding: SMSBodyEncoding
    /// HTTP statuses that mean "accepted".
    public var successStatus: ClosedRange<Int>
    /// Dotted path of the provider's message id in a JSON answer, e.g. `messages.0.id`.
    public var idJSONPath: String?

    public init(
        baseURL: String,
        secret: String,
        account: String? = nil,
        route: String? = nil,
        statusCallbackURL: String? = nil,
        method: String = "POST",
        path: String? = nil,
        headers: [HTTPHeader] = [],
        bodyTemplate: String? = nil,
        bodyEncoding: SMSBodyEncoding = .json,
        successStatus: ClosedRange<Int> = 200...299,
        idJSONPath: String? = nil
    ) {
        self.baseURL = baseURL
        self.secret = secret
        self.account = account
        self.route = route
        self.statusCallbackURL = statusCallbackURL
        self.method = method
        self.path = path
        self.headers = headers
        self.bodyTemplate = bodyTemplate
        self.bodyEncoding = bodyEncoding
        self.successStatus = successStatus
        self.idJSONPath = idJSONPath
    }
}

extension SMSProviderSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts = ["baseURL: \(baseURL)", "secret: \(secret.isEmpty ? "<empty>" : "<redacted>")"]
        if let account { parts.append("account: \(account)") }
        if let route { parts.append("route: \(route)") }
        if let statusCallbackURL { parts.append("statusCallbackURL: \(statusCallbackURL)") }
        if let path { parts.append("method: \(method)"); parts.append("path: \(path)") }
        return "SMSProviderSettings(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "secret": "<redacted>", "account": account as Any], displayStyle: .struct)
    }
}

/// Settings that cannot produce a working request (for example Twilio without an Account SID).
public struct SMSProviderSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line a person can act on. Never contains the secret.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

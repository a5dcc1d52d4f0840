import Foundation
import KoerierCore

// Generic HTTP provider (`kind: http`): any SMS gateway that takes one request per message and says
// "accepted" with an HTTP status. Everything comes from the settings: method, path or URL template,
// headers, body template and its encoding, the success statuses and the JSON path of the message id.
//
// Placeholders, written `{{name}}` (spaces inside the braces allowed):
//   to         recipient in E.164 (`+31612345678`)
//   to_digits  recipient digits only (`31612345678`)
//   from       sender id
//   text       message text
//   reference  the (derived) action reference
//   token      settings.secret (only where the template puts it)
//   account    settings.account
//   unicode    `true` or `false`
//   parts      number of SMS parts
// In the body, values are JSON-string-escaped (`bodyEncoding: json`, the template writes the quotes)
// or form-url-encoded (`bodyEncoding: form`); in the URL they are percent-encoded; in header values
// they are inserted as-is with CR/LF removed. An unknown placeholder is a settings error.
//
// No provider documentation applies; the classification follows the rules shared by all codecs
// (429/5xx retry, 401/402/403 provider problem, other 4xx permanent).

/// Generic HTTP: request and success detection entirely from `SMSProviderSettings`.
public struct GenericHTTPProvider: SMSProviderCodec {
    public let kind = "http"
    public let maxReferenceLength = 128
    /// The success statuses classification uses; `SMSProviders.codec(kind:)` gives the default 200...299.
    public let successStatus: ClosedRange<Int>
    /// The JSON path of the message id in an accepted answer.
    public let idJSONPath: String?

    public init(successStatus: ClosedRange<Int> = 200...299, idJSONPath: String? = nil) {
        self.successStatus = successStatus
        self.idJSONPath = idJSONPath
    }

    /// A codec whose classification uses the success statuses and id path of `settings`.
    public init(settings: SMSProviderSettings) {
        self.init(successStatus: settings.successStatus, idJSONPath: settings.idJSONPath)
    }

    public static let defaultJSONBody = #"{"to":"{{to}}","from":"{{from}}","text":"{{text}}","reference":"{{reference}}"}"#
    public static let defaultFormBody = "to={{to}}&from={{from}}&text={{text}}&reference={{reference}}"

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        let values = placeholderValues(message, settings)
        guard let pathTemplate = settings.path, !pathTemplate.isEmpty else {
            throw SMSProviderSettingsError("http: path (or a full url template) is required")
        }
        let renderedPath = try render(pathTemplate, values, where: "path") { SMSCodecSupport.percentEncode($0) }
        let url: String
        let lowerPath = pathTemplate.lowercased()
        if lowerPath.hasPrefix("http://") || lowerPath.hasPrefix("https://") {
            url = renderedPath
        } else {
            try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
            url = SMSCodecSupport.join(settings.baseURL, renderedPath.hasPrefix("/") ? renderedPath : "/" + renderedPath)
        }
        let method = settings.method.trimmingCharacters(in: .whitespaces).uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else {
            throw SMSProviderSettingsError("http: method '\(settings.method)' is not an HTTP method")
        }

        var headers: [HTTPHeader] = []
        for header in settings.headers {
            let value = try render(header.value, values, where: "header \(header.name)") { $0 }
            headers.append(HTTPHeader(header.name, value.filter { $0 != "\r" && $0 != "\n" }))
        }

        var body: [UInt8] = []
        if method != "GET" && method != "HEAD" {
            let template: String
            switch settings.bodyEncoding {
            case .json: template = settings.bodyTemplate ?? Self.defaultJSONBody
            case .form: template = settings.bodyTemplate ?? Self.defaultFormBody
            }
            let rendered: String
            switch settings.bodyEncoding {
            case .json: rendered = try render(template, values, where: "body") { SMSCodecSupport.jsonEscape($0) }
            case .form: rendered = try render(template, values, where: "body") { SMSCodecSupport.percentEncode($0) }
            }
            body = Array(rendered.utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(HTTPHeader("Content-Type", settings.bodyEncoding == .json ? "application/json" : "application/x-www-form-urlencoded"))
            }
        }
        return HTTPRequestSpec(method: method, url: url, headers: headers, body: body)
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.json(response)
        if successStatus.contains(response.status) {
            let id = idJSONPath.flatMap { SMSCodecSupport.messageID(SMSCodecSupport.value(at: $0, in: root)) }
            return .accepted(messageID: id, detail: SMSCodecSupport.httpDetail(response.status, nil))
        }
        let text = Self.errorText(root)
        let detail = SMSCodecSupport.httpDetail(response.status, text)
        if (200...299).contains(response.status) {
            // A 2xx the configuration does not call success: the message may have gone out; do not resend
            // through this provider blindly, report it as a provider problem for a person to look at.
            return .providerProblem(detail: SMSCodecSupport.httpDetail(response.status, text ?? "not a configured success status"))
        }
        return SMSCodecSupport.httpFallback(response, detail: detail)
            ?? .providerProblem(detail: SMSCodecSupport.httpDetail(response.status, text ?? "unexpected answer"))
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? { nil }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        .unknown(detail: "http: no lookup configured")
    }

    // MARK: Templates

    private func placeholderValues(_ message: OutgoingSMS, _ settings: SMSProviderSettings) -> [String: String] {
        [
            "to": message.to.hasPrefix("+") ? message.to : "+" + SMSCodecSupport.digits(message.to),
            "to_digits": SMSCodecSupport.digits(message.to),
            "from": message.from,
            "text": message.text,
            "reference": reference(for: message.actionID),
            "token": settings.secret,
            "account": settings.account ?? "",
            "unicode": message.unicode ? "true" : "false",
            "parts": String(message.parts),
        ]
    }

    /// Replaces every `{{name}}` in `template` with `escape(values[name])`.
    private func render(
        _ template: String,
        _ values: [String: String],
        where place: String,
        escape: (String) -> String
    ) throws(SMSProviderSettingsError) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw SMSProviderSettingsError("http: unclosed '{{' in \(place) template")
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[name] else {
                throw SMSProviderSettingsError("http: unknown placeholder {{\(name)}} in \(place) template (known: \(values.keys.sorted().joined(separator: ", ")))")
            }
            out += escape(value)
            rest = afterOpen[close.upperBound...]
        }
        out += rest
        return out
    }

    /// A short error text from common JSON error shapes.
    static func errorText(_ root: JSONValue?) -> String? {
        guard let object = SMSCodecSupport.object(root) else { return nil }
        for key in ["message", "error_description", "description", "detail", "error", "title", "details"] {
            if let text = SMSCodecSupport.scalarString(object[key]), !text.isEmpty { return text }
            if case .object? = object[key], let text = errorText(object[key]) { return text }
        }
        if let first = SMSCodecSupport.array(object["errors"])?.first {
            if let text = SMSCodecSupport.scalarString(first) { return text }
            return errorText(first)
        }
        return nil
    }
}

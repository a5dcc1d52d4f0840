import Foundation
import KoerierCore

// Spryng SMS REST API v1.
//
// Sources:
// - Base URL `https://rest.spryngsms.com/v1`, `Authorization: Bearer <api key>`, create
//   `POST /messages` with JSON `encoding` (plain|unicode|auto), `body`, `route` (`business` default),
//   `originator`, `recipients` (array), `reference`, `scheduled_at`; show `GET /messages/{id}`; list
//   `GET /messages` with filters originator, recipient_number, reference, created_from/until,
//   scheduled_from/until, status: github.com/Spryng/rest-api-php src/Spryng/SpryngRestApi/Spryng.php,
//   Resources/MessageClient.php, Http/Request.php, Objects/Message.php.
// - Filters are sent as `filters[<name>]=<value>`: github.com/Spryng/rest-api-java
//   src/main/java/com/spryng/Utils/Filter.java.
// - Message object fields (id, encoding, originator, route, recipients, body, reference, credits,
//   scheduled_at, canceled_at, created_at, updated_at) and the paginated list (total, per_page,
//   current_page, last_page, data): rest-api-java Models/Message.java, rest-api-php
//   Objects/MessageCollection.php.
// - Bearer token, 401 invalid token, 422 missing or invalid parameters, 429 rate limit:
//   https://docs.spryngsms.com/ (Postman collection "Spryng REST API (Documentation)") and
//   https://simple.docs.spryngsms.com/ (status table).
// - Recipients as MSISDN without `+` or `00`: Spryng .NET SDK SmsRequest ("international format
//   without leading 00 or +").
//
// Not confirmed by these sources: the exact error body (assumed `{"message": ..., "errors": {...}}`)
// and how an exhausted credit balance is reported (402 assumed; a text mentioning credit/balance is
// treated the same). Reference length: no documented maximum; 64 is a conservative choice.

/// Spryng: `POST {base}/v1/messages`, JSON, `Authorization: Bearer <token>`.
public struct SpryngProvider: SMSProviderCodec {
    public static let defaultBaseURL = "https://rest.spryngsms.com"

    public let kind = "spryng"
    public let maxReferenceLength = 64

    public init() {}

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
        try SMSCodecSupport.checkSecret(settings, kind: kind, name: "API key")
        let route = settings.route.flatMap { $0.isEmpty ? nil : $0 } ?? "business"
        let body = SMSCodecJSON.object([
            .init("encoding", .string(message.unicode ? "unicode" : "plain")),
            .init("body", .string(message.text)),
            .init("route", .string(route)),
            .init("originator", .string(message.from)),
            .init("recipients", .array([.string(SMSCodecSupport.digits(message.to))])),
            .init("reference", .string(reference(for: message.actionID))),
        ])
        return HTTPRequestSpec(
            method: "POST",
            url: SMSCodecSupport.join(settings.baseURL, "/v1/messages"),
            headers: headers(settings, json: true),
            body: body.bytes
        )
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        if (200...299).contains(response.status) {
            let id = root.flatMap { SMSCodecSupport.messageID($0["id"]) }
            return .accepted(messageID: id, detail: SMSCodecSupport.httpDetail(response.status, nil))
        }
        let text = errorText(root) ?? (response.status == 401 ? "Unauthenticated" : nil)
        let detail = SMSCodecSupport.httpDetail(response.status, text)
        if response.status == 429 || (500...599).contains(response.status) {
            return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
        }
        let lower = (text ?? "").lowercased()
        if response.status == 402 || lower.contains("credit") || lower.contains("balance") {
            return .providerProblem(detail: detail)
        }
        return SMSCodecSupport.httpFallback(response, detail: detail) ?? .providerProblem(detail: detail)
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? {
        let query = SMSCodecSupport.formEncode([("filters[reference]", self.reference(for: reference))])
        return HTTPRequestSpec(
            method: "GET",
            url: SMSCodecSupport.join(settings.baseURL, "/v1/messages?" + query),
            headers: headers(settings, json: false)
        )
    }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        guard response.status == 200 else {
            let text = errorText(SMSCodecSupport.object(SMSCodecSupport.json(response)))
            return .unknown(detail: SMSCodecSupport.httpDetail(response.status, text))
        }
        guard let root = SMSCodecSupport.object(SMSCodecSupport.json(response)), let list = SMSCodecSupport.array(root["data"]) else {
            return .unknown(detail: "lookup answer has no data list")
        }
        let data = list.compactMap { SMSCodecSupport.object($0) }
        return SMSCodecSupport.classifyReferenceList(data, expected: reference(for: actionID), idKey: "id") { item in
            if let status = SMSCodecSupport.scalarString(item["status"]) { return status }
            if SMSCodecSupport.scalarString(item["canceled_at"]) != nil { return "canceled" }
            return "accepted"
        }
    }

    /// `message`, then the first validation error (Laravel-style `errors: {field: [text]}`).
    private func errorText(_ root: [String: JSONValue]?) -> String? {
        guard let root else { return nil }
        var parts: [String] = []
        if let message = SMSCodecSupport.scalarString(root["message"]) ?? SMSCodecSupport.scalarString(root["error"]) {
            parts.append(message)
        }
        if let errors = SMSCodecSupport.object(root["errors"]) {
            for key in errors.keys.sorted() {
                let value = errors[key]
                let first = SMSCodecSupport.array(value)?.first.flatMap { SMSCodecSupport.scalarString($0) } ?? SMSCodecSupport.scalarString(value)
                if let first, !parts.contains(first) { parts.append(first) }
                break
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    private func headers(_ settings: SMSProviderSettings, json: Bool) -> [HTTPHeader] {
        var headers = [HTTPHeader("Authorization", "Bearer " + settings.secret), HTTPHeader("Accept", "application/json")]
        if json { headers.append(HTTPHeader("Content-Type", "application/json")) }
        return headers
    }
}

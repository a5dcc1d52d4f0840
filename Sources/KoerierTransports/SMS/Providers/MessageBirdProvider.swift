import Foundation
import KoerierCore

// MessageBird (Bird) SMS REST API, legacy `rest.messagebird.com`.
//
// Sources:
// - Request fields (originator, body, recipients, reference, datacoding plain|unicode|auto, reportUrl...),
//   path `messages`, read `messages/{id}`, list `messages?...`:
//   github.com/messagebird/go-rest-api sms/message.go; JSON schema of the message object
//   (id, href, reference, datacoding, recipients.items[].status): api-evangelist/bird
//   json-schema/bird-message-schema.json and messagebird-messagecreate-schema.json.
// - Authorization header `AccessKey <key>`: captured request in the MessageBird support examples
//   ("POST /messages ... Authorization: AccessKey ..."), and
//   https://developers.messagebird.com/api/sms-messaging/#send-outbound-sms (linked from pipedream).
// - Error body `{"errors":[{"code","description","parameter"}]}` and codes 2 request not allowed
//   (incorrect access_key), 9 missing params, 10 invalid params, 20 not found, 21 bad request,
//   25 not enough balance, 98 API not found, 99 internal error, 100 service unavailable:
//   messagebird/csharp-rest-api MessageBird/Objects/Error.cs; drahnr/messagebird-async
//   src/sms/errors.rs; vapor-community/messagebird-kit.
// - "4xx: authentication, not enough balance or wrong/missing parameters ... 5xx: safe to retry":
//   https://docs.suprsend.com/v1.2.1/docs/messagebird-sms-errors (quoting the MessageBird docs).
// - Lookup: the list endpoint GET /messages takes filter query parameters (originator, recipient,
//   status, searchterm, limit, offset — go-rest-api ListParams, messagebird-async list test). A
//   `reference` filter is NOT confirmed by those sources; the lookup therefore only answers `found`
//   when every returned item carries one and the same reference, and `unknown` when the provider
//   evidently ignored the filter.
//
// Reference length: the docs give no maximum; 64 is a conservative choice (longer ids are derived).

/// MessageBird: `POST {base}/messages`, JSON, `Authorization: AccessKey <key>`.
public struct MessageBirdProvider: SMSProviderCodec {
    public static let defaultBaseURL = "https://rest.messagebird.com"

    public let kind = "messagebird"
    public let maxReferenceLength = 64

    public init() {}

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
        try SMSCodecSupport.checkSecret(settings, kind: kind, name: "access key")
        var fields: [SMSCodecJSONMember] = [
            .init("recipients", .array([.string(SMSCodecSupport.digits(message.to))])),
            .init("originator", .string(message.from)),
            .init("body", .string(message.text)),
            .init("reference", .string(reference(for: message.actionID))),
            .init("datacoding", .string(message.unicode ? "unicode" : "plain")),
        ]
        // Per-message status report URL (needs `reference`, which is always sent): the listener's /dlr/<name>.
        if let reportURL = settings.reportURL, !reportURL.isEmpty { fields.append(.init("reportUrl", .string(reportURL))) }
        let body = SMSCodecJSON.object(fields)
        return HTTPRequestSpec(
            method: "POST",
            url: SMSCodecSupport.join(settings.baseURL, "/messages"),
            headers: headers(settings, json: true),
            body: body.bytes
        )
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        if (200...299).contains(response.status) {
            guard let root, let id = SMSCodecSupport.messageID(root["id"]) else {
                // 2xx without a message object: the request went through, but we cannot tell what happened.
                return .accepted(messageID: nil, detail: SMSCodecSupport.httpDetail(response.status, "no message id in answer"))
            }
            let items = SMSCodecSupport.objects(SMSCodecSupport.value(at: "recipients.items", in: .object(root)))
            let statuses = items.compactMap { SMSCodecSupport.scalarString($0["status"]) }
            if !statuses.isEmpty, statuses.allSatisfy({ $0 == "delivery_failed" }) {
                return .permanent(detail: SMSCodecSupport.detail("recipient status", statuses.joined(separator: ",")))
            }
            return .accepted(messageID: id, detail: SMSCodecSupport.detail("HTTP \(response.status)", statuses.first))
        }

        let errors = SMSCodecSupport.objects(root?["errors"])
        if let first = errors.first {
            let code = SMSCodecSupport.scalarInt(first["code"])
            let description = SMSCodecSupport.scalarString(first["description"]) ?? ""
            let parameter = SMSCodecSupport.scalarString(first["parameter"])
            var text = description
            if let parameter, !parameter.isEmpty, !description.contains(parameter) { text += " (\(parameter))" }
            let detail = SMSCodecSupport.detail("HTTP \(response.status) code \(code.map(String.init) ?? "?")", text)
            if response.status == 429 || (500...599).contains(response.status) {
                return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
            }
            switch code {
            case 2: return .providerProblem(detail: detail)          // request not allowed: wrong access key
            case 25: return .providerProblem(detail: detail)         // not enough balance
            case 99, 100: return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
            case 20, 98:
                return .providerProblem(detail: detail)              // not found / API not found: a wrong URL in the configuration
            case 9, 10, 21, 101, 102:
                return .permanent(detail: detail)                    // e.g. "no (correct) recipients found"
            default:
                return SMSCodecSupport.httpFallback(response, detail: detail) ?? .permanent(detail: detail)
            }
        }
        let detail = SMSCodecSupport.httpDetail(response.status, nil)
        return SMSCodecSupport.httpFallback(response, detail: detail)
            ?? .providerProblem(detail: SMSCodecSupport.httpDetail(response.status, "unexpected answer"))
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? {
        let query = SMSCodecSupport.formEncode([("reference", self.reference(for: reference)), ("limit", "20")])
        return HTTPRequestSpec(
            method: "GET",
            url: SMSCodecSupport.join(settings.baseURL, "/messages?" + query),
            headers: headers(settings, json: false)
        )
    }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        guard response.status == 200 else {
            if response.status == 404 { return .notFound }
            return .unknown(detail: SMSCodecSupport.httpDetail(response.status, firstErrorDescription(response)))
        }
        guard let root = SMSCodecSupport.object(SMSCodecSupport.json(response)), let list = SMSCodecSupport.array(root["items"]) else {
            return .unknown(detail: "lookup answer has no items list")
        }
        let items = list.compactMap { SMSCodecSupport.object($0) }
        return SMSCodecSupport.classifyReferenceList(items, expected: reference(for: actionID), idKey: "id") { item in
            let recipients = SMSCodecSupport.objects(SMSCodecSupport.value(at: "recipients.items", in: .object(item)))
            return recipients.first.flatMap { SMSCodecSupport.scalarString($0["status"]) } ?? "sent"
        }
    }

    private func headers(_ settings: SMSProviderSettings, json: Bool) -> [HTTPHeader] {
        var headers = [HTTPHeader("Authorization", "AccessKey " + settings.secret), HTTPHeader("Accept", "application/json")]
        if json { headers.append(HTTPHeader("Content-Type", "application/json")) }
        return headers
    }

    private func firstErrorDescription(_ response: HTTPResponseSpec) -> String? {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        return SMSCodecSupport.objects(root?["errors"]).first.flatMap { SMSCodecSupport.scalarString($0["description"]) }
    }
}

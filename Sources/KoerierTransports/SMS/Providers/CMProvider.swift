import Foundation
import KoerierCore

// CM.com Business Messaging API (JSON gateway).
//
// Sources:
// - Endpoints `https://gw.messaging.cm.com/v1.0/message` (global, Cloudflare) and
//   `https://gw.cmtelecom.com/v1.0/message`; product token in the `X-CM-PRODUCTTOKEN` header
//   (recommended) or in `messages.authentication.producttoken`; body
//   `{"messages":{"msg":[{"from","to":[{"number"}],"body":{"type":"auto","content"},"reference"}]}}`:
//   https://developers.cm.com/messaging/docs/integration
// - Phone numbers as `00` + country code + number, no `+`; `from` at most 11 alphanumerics or 16 digits;
//   `allowedChannels`: https://developers.cm.com/messaging/docs/shared-features
// - Unicode: `body.type: "auto"` detects the encoding (DCS then ignored); `dcs: 8` for UCS-2;
//   `minimumNumberOfMessageParts` / `maximumNumberOfMessageParts` (maximum 8):
//   https://developers.cm.com/messaging/docs/sms
// - Responses: 200 `{"details","errorCode","messages":[{"to","status":"Accepted"|"Rejected","reference",
//   "parts","messageDetails","messageErrorCode"}]}`; 400 for an entirely rejected request
//   (`errorCode` 101 "No account found for the given authentication"), 200 with `errorCode` 201 for a
//   partly rejected request: https://developers.cm.com/messaging/docs/responses-errors-json
// - Error codes 0 ok, 101 authentication failed, 102 balance insufficient, 103 API key incorrect,
//   201 not all sent, 202 malformed, 203 msg array incorrect, 301 invalid from, 302 invalid to,
//   303 invalid msisdn, 304 invalid body, 305 invalid field, 401 spam, 402 blacklisted, 403 rejected,
//   500 internal error, 999 unknown: cmdotcom/text-sdk-python cm_text/text_client_status_codes.py,
//   cmdotcom/text-sdk-dotnet CM.Text/TextClientStatusCode.cs; response model
//   CM.Text/BusinessMessaging/Model/Response.cs.
//
// CM returns no message id: an accepted message is identified by its reference only.
// Reference length: 32 is from memory of the CM docs (not confirmed by the sources above); the same
// page is remembered to restrict references to letters and digits, while action ids may contain
// `.`, `_` and `-`. No lookup endpoint by reference exists in the gateway API.

/// CM.com: `POST {base}/v1.0/message`, JSON, `X-CM-PRODUCTTOKEN: <token>`.
public struct CMProvider: SMSProviderCodec {
    public static let defaultBaseURL = "https://gw.messaging.cm.com"

    public let kind = "cm"
    public let maxReferenceLength = 32

    public init() {}

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
        try SMSCodecSupport.checkSecret(settings, kind: kind, name: "product token")
        var msg: [SMSCodecJSONMember] = [
            .init("allowedChannels", .array([.string("SMS")])),
            .init("from", .string(message.from)),
            .init("to", .array([.object([.init("number", .string("00" + SMSCodecSupport.digits(message.to)))])])),
            .init("body", .object([.init("type", .string("auto")), .init("content", .string(message.text))])),
            .init("reference", .string(reference(for: message.actionID))),
            .init("minimumNumberOfMessageParts", .int(1)),
            // CM's maximum; a lower value would let the gateway truncate a text it counts differently.
            .init("maximumNumberOfMessageParts", .int(8)),
        ]
        if message.unicode { msg.append(.init("dcs", .int(8))) }
        let body = SMSCodecJSON.object([
            .init("messages", .object([
                .init("authentication", .object([.init("producttoken", .string(settings.secret))])),
                .init("msg", .array([.object(msg)])),
            ])),
        ])
        return HTTPRequestSpec(
            method: "POST",
            url: SMSCodecSupport.join(settings.baseURL, "/v1.0/message"),
            headers: [
                HTTPHeader("X-CM-PRODUCTTOKEN", settings.secret),
                HTTPHeader("Content-Type", "application/json"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: body.bytes
        )
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        let errorCode = SMSCodecSupport.scalarInt(root?["errorCode"])
        let details = root.flatMap { SMSCodecSupport.scalarString($0["details"]) }
        let messages = SMSCodecSupport.objects(root?["messages"])

        // Rate limiting and server errors first: the body of a 429/5xx is not a gateway answer.
        if response.status == 429 || (500...599).contains(response.status) {
            return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response),
                               detail: SMSCodecSupport.httpDetail(response.status, details))
        }

        // Per message: our request carries one message to one number, so one entry decides.
        if let accepted = messages.first(where: { (SMSCodecSupport.scalarString($0["status"]) ?? "").lowercased() == "accepted" }) {
            let parts = SMSCodecSupport.scalarInt(accepted["parts"]).flatMap { (1...255).contains($0) ? String($0) : nil } ?? "?"
            return .accepted(messageID: nil, detail: SMSCodecSupport.detail("Accepted", "\(parts) part(s)"))
        }
        if let rejected = messages.first {
            let code = SMSCodecSupport.scalarInt(rejected["messageErrorCode"])
            let text = SMSCodecSupport.scalarString(rejected["messageDetails"]) ?? details
            let detail = SMSCodecSupport.detail("Rejected, code \(code.map(String.init) ?? "?")", text)
            if let code, code != 0 { return classify(code: code, detail: detail, response: response) }
        }
        if let errorCode, errorCode != 0, errorCode != 201 {
            let detail = SMSCodecSupport.detail("HTTP \(response.status) code \(errorCode)", details)
            return classify(code: errorCode, detail: detail, response: response)
        }
        if (200...299).contains(response.status), errorCode == 0 || (root != nil && errorCode == nil) {
            return .accepted(messageID: nil, detail: SMSCodecSupport.httpDetail(response.status, details))
        }
        let detail = SMSCodecSupport.httpDetail(response.status, details)
        if errorCode == 201 {
            // "Not all messages sent" without a per-message code that decides: a partial rejection, retry later.
            return .retryLater(retryAfter: nil, detail: SMSCodecSupport.detail("HTTP \(response.status) code 201", details ?? "not all messages were sent"))
        }
        if (200...299).contains(response.status) {
            return .providerProblem(detail: SMSCodecSupport.httpDetail(response.status, details ?? "unexpected answer"))
        }
        return SMSCodecSupport.httpFallback(response, detail: detail) ?? .providerProblem(detail: detail)
    }

    private func classify(code: Int, detail: String, response: HTTPResponseSpec) -> SMSOutcome {
        switch code {
        case 101, 103: return .providerProblem(detail: detail)   // authentication / product token
        case 102: return .providerProblem(detail: detail)        // balance insufficient
        case 301: return .providerProblem(detail: detail)        // sender (from) not accepted: affects every message
        case 302, 303, 304, 305, 202, 203: return .permanent(detail: detail)
        case 401, 402, 403: return .permanent(detail: detail)    // spam filtered / blacklisted / rejected
        case 500, 999: return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
        default:
            return SMSCodecSupport.httpFallback(response, detail: detail) ?? .permanent(detail: detail)
        }
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? { nil }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        .unknown(detail: "cm: the gateway API has no lookup by reference")
    }
}

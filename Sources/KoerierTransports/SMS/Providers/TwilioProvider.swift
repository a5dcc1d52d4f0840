import Foundation
import KoerierCore

// Twilio Programmable Messaging, REST API 2010-04-01, Message resource.
//
// Sources:
// - `POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`
//   (E.164), `From`, `Body`, optional `StatusCallback`; answer 201 with `sid`, `status`, `num_segments`...:
//   https://www.twilio.com/docs/messaging/api/message-resource ; parameter docs in
//   docs.rs twilio-rust-openapi apis/api20100401_message_api.rs (CreateMessageParams).
// - JSON by the `.json` extension, HTTP Basic auth with Account SID and auth token:
//   https://www.twilio.com/docs/usage/twilios-response
// - Error body `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`:
//   https://www.twilio.com/docs/api/errors/400 and the debugging guide quoted in
//   gist.github.com/Tuan-T-Nguyen (Twilio error reference).
// - Codes: 20003 authenticate, 20429 too many requests, 21211 invalid To, 21606 From not valid for
//   this account, 21608 unverified To (trial), 21610 unsubscribed recipient, 21612 unroutable,
//   21614 To not SMS-capable, 21408 region permission, 21635 To is a landline, 10001 account not active,
//   21611 From has too many queued messages:
//   https://www.twilio.com/docs/api/errors (and /21608, /21606, /21635 pages); TundraSoft/tundra-connect
//   wiki "Twilio Errors".
//
// Twilio keeps no client reference on a Message. When `statusCallbackURL` is configured, the
// reference is added to it as `reference=<ref>` (StatusCallback URLs may be up to 4000 characters), so
// delivery reports can be matched back to the action; otherwise the reference is not sent at all.
// No lookup by reference is possible (the list filters are To, From and DateSent only).

/// Twilio: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, form, HTTP Basic `sid:token`.
public struct TwilioProvider: SMSProviderCodec {
    public static let defaultBaseURL = "https://api.twilio.com"

    public let kind = "twilio"
    /// The reference only travels inside the StatusCallback URL, so any action id fits.
    public let maxReferenceLength = 128

    public init() {}

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
        try SMSCodecSupport.checkSecret(settings, kind: kind, name: "auth token")
        guard let sid = settings.account?.trimmingCharacters(in: .whitespaces), !sid.isEmpty else {
            throw SMSProviderSettingsError("twilio: the Account SID is missing (set account)")
        }
        var pairs: [(String, String)] = [
            ("To", "+" + SMSCodecSupport.digits(message.to)),
            ("From", message.from),
            ("Body", message.text),
        ]
        if let callback = settings.statusCallbackURL, !callback.isEmpty {
            let separator = callback.contains("?") ? "&" : "?"
            let ref = reference(for: message.actionID)
            pairs.append(("StatusCallback", callback + separator + "reference=" + SMSCodecSupport.percentEncode(ref)))
        }
        return HTTPRequestSpec(
            method: "POST",
            url: SMSCodecSupport.join(settings.baseURL, "/2010-04-01/Accounts/" + SMSCodecSupport.percentEncode(sid) + "/Messages.json"),
            headers: [
                HTTPHeader("Authorization", SMSCodecSupport.basicAuth(user: sid, password: settings.secret)),
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: Array(SMSCodecSupport.formEncode(pairs).utf8)
        )
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        if (200...299).contains(response.status) {
            let sid = root.flatMap { SMSCodecSupport.messageID($0["sid"]) }
            let status = root.flatMap { SMSCodecSupport.scalarString($0["status"]) }
            if status == "failed" {
                let code = root.flatMap { SMSCodecSupport.scalarString($0["error_code"]) }
                let text = root.flatMap { SMSCodecSupport.scalarString($0["error_message"]) }
                return .permanent(detail: SMSCodecSupport.detail("failed, code \(code ?? "?")", text))
            }
            return .accepted(messageID: sid, detail: SMSCodecSupport.detail("HTTP \(response.status)", status))
        }
        let code = SMSCodecSupport.scalarInt(root?["code"])
        let text = root.flatMap { SMSCodecSupport.scalarString($0["message"]) }
        let detail = SMSCodecSupport.detail("HTTP \(response.status) code \(code.map(String.init) ?? "-")", text)
        if response.status == 429 || (500...599).contains(response.status) {
            return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
        }
        switch code {
        case 20003, 20005, 10001, 10002:
            return .providerProblem(detail: detail)       // authentication, inactive or suspended account
        case 21606, 21659, 21212, 21408:
            return .providerProblem(detail: detail)       // our sender / region permission / queue: every message fails
        case 20429, 30001, 21611:
            return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: detail)
        case 21211, 21214, 21217, 21401, 21407, 21604, 21608, 21610, 21612, 21614, 21635, 21618, 21617, 21619:
            return .permanent(detail: detail)             // the recipient or this message
        default:
            return SMSCodecSupport.httpFallback(response, detail: detail) ?? .providerProblem(detail: detail)
        }
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? { nil }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        .unknown(detail: "twilio: messages carry no client reference, no lookup by reference")
    }
}

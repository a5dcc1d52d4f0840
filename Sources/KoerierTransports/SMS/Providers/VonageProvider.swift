import Foundation
import KoerierCore

// Vonage (Nexmo) SMS API.
//
// Sources:
// - `POST https://rest.nexmo.com/sms/json`, `application/x-www-form-urlencoded` with `api_key`,
//   `api_secret`, `from`, `to` (E.164 digits, 7-15, no `+`), `text`, `type` (text|unicode|...),
//   `client-ref` ("your own reference of up to 40 characters"), `callback`, `status-report-req`;
//   answer `{"message-count": "1", "messages": [{"to", "message-id", "status", "remaining-balance",
//   "message-price", "network"}]}`, errors `{"status": "2", "error-text": "Missing to param"}`:
//   github.com/Nexmo/api-specification definitions/sms.yml (SMS API 1.0.6).
// - `type=unicode` for non-GSM text: https://developer.vonage.com/en/messaging/sms/code-snippets/send-an-sms-with-unicode
// - Status codes 0 success, 1 throttled, 2 missing parameters, 3 invalid parameters, 4 invalid
//   credentials, 5 internal error, 6 invalid message (e.g. unrecognised number prefix), 7 number
//   barred, 8 partner account barred, 9 partner quota violation (insufficient credit), 10 too many
//   existing binds, 11 account not enabled for HTTP, 12 message too long, 14 invalid signature,
//   15 invalid sender address, 22 invalid network code, 23 invalid callback URL, 29 non-whitelisted
//   destination, 32 signature and api secret disallowed, 33 number de-activated:
//   https://developer.vonage.com/api-errors/sms and
//   https://developer.vonage.com/messaging/sms/guides/troubleshooting-sms
//
// Vonage answers HTTP 200 for most errors; the per-message `status` decides. No lookup by client-ref.

/// Vonage: `POST {base}/sms/json`, form with `api_key` (settings.account) and `api_secret`.
public struct VonageProvider: SMSProviderCodec {
    public static let defaultBaseURL = "https://rest.nexmo.com"

    public let kind = "vonage"
    public let maxReferenceLength = 40

    public init() {}

    public func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec {
        try SMSCodecSupport.checkBaseURL(settings.baseURL, kind: kind)
        try SMSCodecSupport.checkSecret(settings, kind: kind, name: "API secret")
        guard let key = settings.account?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
            throw SMSProviderSettingsError("vonage: the api_key is missing (set account)")
        }
        var pairs: [(String, String)] = [
            ("api_key", key),
            ("api_secret", settings.secret),
            ("from", message.from),
            ("to", SMSCodecSupport.digits(message.to)),
            ("text", message.text),
            ("type", message.unicode ? "unicode" : "text"),
            ("client-ref", reference(for: message.actionID)),
        ]
        // Per-message delivery-receipt URL, overriding the dashboard's: the listener's /dlr/<name>.
        if let reportURL = settings.reportURL, !reportURL.isEmpty { pairs.append(("callback", reportURL)) }
        return HTTPRequestSpec(
            method: "POST",
            url: SMSCodecSupport.join(settings.baseURL, "/sms/json"),
            headers: [
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: Array(SMSCodecSupport.formEncode(pairs).utf8)
        )
    }

    public func classify(_ response: HTTPResponseSpec) -> SMSOutcome {
        let root = SMSCodecSupport.object(SMSCodecSupport.json(response))
        let messages = SMSCodecSupport.objects(root?["messages"])

        if response.status == 429 || (500...599).contains(response.status) {
            let text = messages.first.flatMap { SMSCodecSupport.scalarString($0["error-text"]) }
                ?? root.flatMap { SMSCodecSupport.scalarString($0["title"]) }
            return .retryLater(retryAfter: SMSCodecSupport.retryAfter(response), detail: SMSCodecSupport.httpDetail(response.status, text))
        }

        if let first = messages.first, let status = SMSCodecSupport.scalarInt(first["status"]) {
            // One message per request; a concatenated text yields one entry per part. If any part was taken the
            // debtor already has (part of) the text: never treat that as not sent, or a resend duplicates it.
            let accepted = messages.filter { SMSCodecSupport.scalarInt($0["status"]) == 0 }
            if !accepted.isEmpty && accepted.count < messages.count {
                let id = SMSCodecSupport.messageID(accepted[0]["message-id"])
                return .accepted(messageID: id, detail: "partly accepted: \(accepted.count) of \(messages.count) parts (status 0); the rest were refused")
            }
            if let failed = messages.first(where: { (SMSCodecSupport.scalarInt($0["status"]) ?? -1) != 0 }),
               let code = SMSCodecSupport.scalarInt(failed["status"]) {
                let text = SMSCodecSupport.scalarString(failed["error-text"])
                let detail = SMSCodecSupport.detail("status \(code)", text)
                return classify(status: code, detail: detail)
            }
            let id = SMSCodecSupport.messageID(first["message-id"])
            return .accepted(messageID: id, detail: SMSCodecSupport.detail("status \(status)", messages.count > 1 ? "\(messages.count) parts" : nil))
        }

        let text = root.flatMap { SMSCodecSupport.scalarString($0["error-text"]) ?? SMSCodecSupport.scalarString($0["detail"]) ?? SMSCodecSupport.scalarString($0["title"]) }
        let detail = SMSCodecSupport.httpDetail(response.status, text)
        if (200...299).contains(response.status) {
            return .providerProblem(detail: SMSCodecSupport.httpDetail(response.status, text ?? "answer without message status"))
        }
        return SMSCodecSupport.httpFallback(response, detail: detail) ?? .providerProblem(detail: detail)
    }

    private func classify(status: Int, detail: String) -> SMSOutcome {
        switch status {
        case 1, 5, 10:
            return .retryLater(retryAfter: nil, detail: detail)       // throttled / internal error / too many binds
        case 4, 8, 9, 11, 14, 15, 32:
            return .providerProblem(detail: detail)                     // credentials, barred account, no credit, sender
        case 2, 3, 6, 7, 12, 22, 23, 29, 33:
            return .permanent(detail: detail)                           // parameters, invalid or barred number
        default:
            return .permanent(detail: detail)
        }
    }

    public func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec? { nil }

    public func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome {
        .unknown(detail: "vonage: the SMS API has no lookup by client-ref")
    }
}

import Crypto
import Foundation
import KoerierCore

// Twilio status callbacks for Programmable Messaging.
//
// Sources:
// - Authentication, `X-Twilio-Signature`: base64 of HMAC-SHA1 with the auth token over the full URL Twilio called
//   (with its query string) followed by every POST parameter sorted by name, each as name + value (values of a
//   repeated name sorted too): https://www.twilio.com/docs/usage/webhooks/webhooks-security and twilio-python
//   `twilio/request_validator.py` (`RequestValidator.compute_signature`, `validate`).
// - Parameters (form POST): `MessageSid`, `MessageStatus` (accepted, scheduled, queued, sending, sent, delivered,
//   undelivered, failed, read, canceled, partially_delivered), `ErrorCode` (e.g. 30003 unreachable handset,
//   30005 unknown destination, 30006 landline, 30007 carrier filtering, 30008 unknown error), `AccountSid`, `To`:
//   https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
// - One callback per message, not per segment. Koerier's reference travels as `reference=` in the StatusCallback
//   URL (TwilioProvider), so it is covered by the signature.

/// Twilio: authenticated by `X-Twilio-Signature` with the auth token.
public struct TwilioDeliveryReport: DeliveryReportCodec {
    public let kind = "twilio"

    public init() {}

    /// The signature Twilio sends for `url` and POST `parameters`.
    public static func signature(url: String, parameters: [(String, String)], authToken: String) -> String {
        var data = url
        for (name, value) in parameters.sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }) {
            data += name + value
        }
        return Data(ReportCheck.hmac(Insecure.SHA1.self, secret: authToken, Array(data.utf8))).base64EncodedString()
    }

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        guard let given = request.headers["x-twilio-signature"], !given.isEmpty else {
            return .unauthenticated(why: "no X-Twilio-Signature header")
        }
        let parameters = request.method == "POST" ? request.formFields : []
        let expected = Self.signature(url: request.url, parameters: parameters, authToken: secret)
        guard !secret.isEmpty, ReportCheck.constantTimeEqual(Array(given.utf8), Array(expected.utf8)) else {
            return .unauthenticated(why: "the X-Twilio-Signature does not match the URL and parameters")
        }
        let fields = request.fields
        guard let sid = ReportCheck.identifier(fields["MessageSid"] ?? fields["SmsSid"]) else {
            return .malformed(why: "no valid MessageSid")
        }
        guard let status = (fields["MessageStatus"] ?? fields["SmsStatus"]).flatMap({ ReportCheck.identifier($0) })?.lowercased() else {
            return .malformed(why: "no MessageStatus")
        }
        let errorCode = fields["ErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
        if let errorCode, ReportCheck.number(errorCode, in: 0...99_999) == nil {
            return .malformed(why: "ErrorCode is not a number of at most five digits")
        }
        let report: DeliveryStatus.Report
        switch status {
        case "delivered", "read":
            report = .delivered(part: nil)
        case "undelivered", "failed":
            report = .undelivered(code: errorCode.map { "\(status) \($0)" } ?? status, detail: "twilio: \(status)" + (errorCode.map { ", error \($0)" } ?? ""))
        case "accepted", "scheduled", "queued", "sending", "sent", "canceled", "partially_delivered":
            report = .delayed
        default:
            return .malformed(why: "unknown MessageStatus")
        }
        let reference = ReportCheck.identifier(request.query.first(where: { $0.0 == "reference" })?.1)
        return .report(FeedbackReport(
            source: source, match: .init(reference: reference, providerMessageID: sid), report: report,
            code: errorCode.map { "\(status) \($0)" } ?? status, detail: nil
        ))
    }
}

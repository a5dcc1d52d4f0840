import Crypto
import Foundation
import KoerierCore

// Vonage (Nexmo) SMS API delivery receipts, signed.
//
// Sources:
// - Signed webhooks of the SMS API: every parameter but `sig`, sorted by name, each written `&name=value` with `&`
//   and `=` in values replaced by `_`; `sig` is the HMAC of that string with the signature secret (methods md5,
//   sha1, sha256, sha512: upper-case hex) or md5 of it with the secret appended (`md5hash`); `timestamp` is the
//   Unix time of signing: https://developer.vonage.com/en/getting-started/concepts/signing-messages and
//   Vonage/vonage-php-sdk-core `src/Client/Signature.php` (`sign`, `check`: compared case-insensitively).
//   Koerier expects the dashboard's signature method "HMAC SHA-256" and refuses a timestamp more than five
//   minutes from now (a replay).
// - Receipt fields (GET query, form or JSON POST): `messageId` (one per part), `msisdn`, `to`, `status` (delivered,
//   expired, failed, rejected, accepted, buffered, unknown), `err-code` (0 delivered, 1 unknown, 2-8 temporary
//   reasons, 9 illegal number, 11 unroutable, 12 destination unreachable, 14 blocked, 99 general error),
//   `client-ref` (ours), `scts`, `message-timestamp`: https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts
// - A multi-part SMS gets one receipt per part, each with its own `messageId` and the same `client-ref`.

/// Vonage: authenticated by the `sig` parameter (HMAC-SHA256 with the signature secret, `report_secret`).
public struct VonageDeliveryReport: DeliveryReportCodec {
    public let kind = "vonage"
    /// Seconds a signed `timestamp` may be away from now.
    public static let window: TimeInterval = 300

    public init() {}

    /// The `sig` Vonage computes for `parameters` (without `sig`), HMAC-SHA256, upper-case hex.
    public static func signature(_ parameters: [String: String], secret: String) -> String {
        var base = ""
        for name in parameters.keys.sorted() where name != "sig" {
            let value = parameters[name, default: ""].replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
            base += "&" + name + "=" + value
        }
        return ReportCheck.hex(ReportCheck.hmac(SHA256.self, secret: secret, Array(base.utf8))).uppercased()
    }

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        let fields = request.fields
        guard let given = fields["sig"], !given.isEmpty else { return .unauthenticated(why: "no sig parameter") }
        let expected = Self.signature(fields, secret: secret)
        guard !secret.isEmpty, ReportCheck.constantTimeEqual(Array(given.uppercased().utf8), Array(expected.utf8)) else {
            return .unauthenticated(why: "the sig does not match the parameters")
        }
        guard let timestamp = ReportCheck.number(fields["timestamp"], in: 0...9_999_999_999) else {
            return .unauthenticated(why: "no valid timestamp in the signed parameters")
        }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= Self.window else {
            return .unauthenticated(why: "the signed timestamp is more than five minutes away (a replay?)")
        }
        guard let id = ReportCheck.identifier(fields["messageId"]) else { return .malformed(why: "no valid messageId") }
        guard let status = ReportCheck.identifier(fields["status"])?.lowercased() else { return .malformed(why: "no status") }
        let errorText = fields["err-code"].flatMap { $0.isEmpty ? nil : $0 }
        if let errorText, ReportCheck.number(errorText, in: 0...999) == nil { return .malformed(why: "err-code is not a number of at most three digits") }
        let code = errorText.map { "\(status) \($0)" } ?? status
        let report: DeliveryStatus.Report
        switch status {
        case "delivered": report = .delivered(part: id)
        case "expired", "failed", "rejected": report = .undelivered(code: code, detail: "vonage: \(status)" + (errorText.map { ", err-code \($0)" } ?? ""))
        case "accepted", "buffered", "unknown": report = .delayed
        default: return .malformed(why: "unknown status")
        }
        return .report(FeedbackReport(
            source: source, match: .init(reference: ReportCheck.identifier(fields["client-ref"]), providerMessageID: id),
            report: report, code: code
        ))
    }
}

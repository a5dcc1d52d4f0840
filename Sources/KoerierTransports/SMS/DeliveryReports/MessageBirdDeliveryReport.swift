import Crypto
import Foundation
import KoerierCore

// MessageBird (Bird) SMS status reports.
//
// Sources:
// - Authentication, `MessageBird-Signature-JWT`: an HS256 JWT signed with the account's signing key; claims `iss`
//   ("MessageBird"), `nbf`, `exp`, `jti`, `url_hash` (hex SHA-256 of the full URL called, with its query) and
//   `payload_hash` (hex SHA-256 of the body, present only when there is a body): https://developers.messagebird.com/api/#verifying-http-requests
//   and messagebird/php-rest-api `src/MessageBird/RequestValidator.php` (`validateSignature`, 1 second leeway),
//   messagebird/go-rest-api `signature_jwt/signature_jwt.go`.
// - Report fields (GET query by default, or POST): `id` (message id), `reference` (ours), `recipient`, `status`
//   (scheduled, sent, buffered, delivered, expired, delivery_failed), `statusReason`, `statusErrorCode`,
//   `statusDatetime`: https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report
// - One report per recipient and message (not per part).

/// MessageBird: authenticated by `MessageBird-Signature-JWT` with the signing key (`report_secret`).
public struct MessageBirdDeliveryReport: DeliveryReportCodec {
    public let kind = "messagebird"
    /// Seconds of clock difference tolerated on `nbf` and `exp`.
    public static let leeway: TimeInterval = 5

    public init() {}

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        if let problem = Self.jwtProblem(request, key: secret, now: now) { return .unauthenticated(why: problem) }
        let fields = request.fields
        guard let id = ReportCheck.identifier(fields["id"]) else { return .malformed(why: "no valid id") }
        guard let status = ReportCheck.identifier(fields["status"])?.lowercased() else { return .malformed(why: "no status") }
        let errorCode = fields["statusErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
        if let errorCode, ReportCheck.number(errorCode, in: 0...99_999) == nil {
            return .malformed(why: "statusErrorCode is not a number of at most five digits")
        }
        let reason = ReportCheck.text(fields["statusReason"], limit: 100)
        let code = errorCode.map { "\(status) \($0)" } ?? status
        let report: DeliveryStatus.Report
        switch status {
        case "delivered": report = .delivered(part: nil)
        case "delivery_failed", "expired": report = .undelivered(code: code, detail: "messagebird: " + (reason ?? status))
        case "scheduled", "sent", "buffered": report = .delayed
        default: return .malformed(why: "unknown status")
        }
        return .report(FeedbackReport(
            source: source, match: .init(reference: ReportCheck.identifier(fields["reference"]), providerMessageID: id),
            report: report, code: code, detail: reason
        ))
    }

    /// Checks the JWT: structure, `alg` HS256 only, the HMAC, `nbf`/`exp` (with `leeway`), `url_hash` and
    /// `payload_hash`; nil when it holds.
    static func jwtProblem(_ request: DeliveryReportRequest, key: String, now: Date) -> String? {
        guard let token = request.headers["messagebird-signature-jwt"], !token.isEmpty else { return "no MessageBird-Signature-JWT header" }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = ReportCheck.base64URL(parts[0]), let claimBytes = ReportCheck.base64URL(parts[1]),
              let signature = ReportCheck.base64URL(parts[2]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              let claims = try? JSONSerialization.jsonObject(with: Data(claimBytes)) as? [String: Any] else {
            return "the JWT is malformed"
        }
        guard header["alg"] as? String == "HS256" else { return "the JWT is not HS256" }
        let expected = ReportCheck.hmac(SHA256.self, secret: key, Array((parts[0] + "." + parts[1]).utf8))
        guard !key.isEmpty, ReportCheck.constantTimeEqual(signature, expected) else { return "the JWT signature does not match" }
        let clock = now.timeIntervalSince1970
        guard let nbf = (claims["nbf"] as? NSNumber)?.doubleValue, let exp = (claims["exp"] as? NSNumber)?.doubleValue,
              nbf.isFinite, exp.isFinite else { return "the JWT has no nbf or exp" }
        if clock + leeway < nbf { return "the JWT is not valid yet" }
        if clock - leeway >= exp { return "the JWT has expired" }
        if let issuer = claims["iss"] as? String, issuer != "MessageBird" { return "the JWT issuer is not MessageBird" }
        guard let urlHash = claims["url_hash"] as? String,
              ReportCheck.constantTimeEqual(Array(urlHash.lowercased().utf8), Array(ReportCheck.hex(SHA256.hash(data: Array(request.url.utf8))).utf8)) else {
            return "the JWT url_hash does not match the URL"
        }
        let payloadHash = claims["payload_hash"] as? String
        if request.body.isEmpty {
            if payloadHash != nil { return "the JWT has a payload_hash but the request has no body" }
        } else {
            guard let payloadHash,
                  ReportCheck.constantTimeEqual(Array(payloadHash.lowercased().utf8), Array(ReportCheck.hex(SHA256.hash(data: request.body)).utf8)) else {
                return "the JWT payload_hash does not match the body"
            }
        }
        return nil
    }
}

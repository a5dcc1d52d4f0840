import Foundation
import KoerierCore

// The generic `http` provider's delivery reports: Koerier's own format, since the gateway is described by ops.
// GET query, form POST or flat JSON POST with `reference` (what Koerier sent as {{reference}}) and/or `message_id`,
// `status` (delivered | undelivered | failed | expired | rejected | buffered | accepted), optional `code` and
// `detail`. Authenticated by a secret token in the URL (`/dlr/<name>/<token>` or `?token=`); docs/feedback.md.

/// The generic `http` kind: authenticated by the URL token (`report_secret`).
public struct GenericDeliveryReport: DeliveryReportCodec {
    public let kind = "http"

    public init() {}

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        if let problem = ReportCheck.urlTokenProblem(request, secret: secret) { return .unauthenticated(why: problem) }
        let fields = request.fields
        let id = ReportCheck.identifier(fields["message_id"])
        let reference = ReportCheck.identifier(fields["reference"])
        guard id != nil || reference != nil else { return .malformed(why: "neither reference nor message_id") }
        guard let status = ReportCheck.identifier(fields["status"])?.lowercased() else { return .malformed(why: "no status") }
        let providerCode = ReportCheck.identifier(fields["code"])
        let detail = ReportCheck.text(fields["detail"], limit: 200)
        let code = providerCode.map { "\(status) \($0)" } ?? status
        let report: DeliveryStatus.Report
        switch status {
        case "delivered": report = .delivered(part: nil)
        case "undelivered", "failed", "expired", "rejected": report = .undelivered(code: code, detail: detail ?? status)
        case "buffered", "accepted": report = .delayed
        default: return .malformed(why: "unknown status")
        }
        return .report(FeedbackReport(source: source, match: .init(reference: reference, providerMessageID: id), report: report, code: code, detail: detail))
    }
}

import Foundation
import KoerierCore

// Spryng delivery reports.
//
// Sources: Spryng's HTTP API documentation, "Delivery reports" (https://docs.spryngsms.com): the report is a GET
// (or POST) to the account's report URL with `ID` (Spryng's message id), `REFERENCE` (ours), `STATUS` (10 delivered,
// 20 not delivered) and `REASONCODE`. Spryng does not sign reports and takes the URL per account (the Spryng
// portal), so Koerier authenticates by a secret token in that URL (`/dlr/<name>/<token>` or `?token=`). Field
// names are matched case-insensitively. They were written from the documentation as remembered; they were not
// checked against a fetched copy in this change.

/// Spryng: authenticated by the URL token (`report_secret`).
public struct SpryngDeliveryReport: DeliveryReportCodec {
    public let kind = "spryng"

    public init() {}

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        if let problem = ReportCheck.urlTokenProblem(request, secret: secret) { return .unauthenticated(why: problem) }
        let fields = Dictionary(request.fields.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        let id = ReportCheck.identifier(fields["id"])
        let reference = ReportCheck.identifier(fields["reference"])
        guard id != nil || reference != nil else { return .malformed(why: "neither ID nor REFERENCE") }
        guard let status = ReportCheck.number(fields["status"], in: 0...99) else { return .malformed(why: "STATUS is not a number") }
        let reason = fields["reasoncode"].flatMap { $0.isEmpty ? nil : $0 }
        if let reason, ReportCheck.number(reason, in: 0...9_999) == nil { return .malformed(why: "REASONCODE is not a number") }
        let code = "status \(status)" + (reason.map { " reason \($0)" } ?? "")
        let report: DeliveryStatus.Report
        switch status {
        case 10: report = .delivered(part: nil)
        case 20: report = .undelivered(code: code, detail: "spryng: not delivered" + (reason.map { ", reason \($0)" } ?? ""))
        default: return .malformed(why: "STATUS is not 10 or 20")
        }
        return .report(FeedbackReport(source: source, match: .init(reference: reference, providerMessageID: id), report: report, code: code))
    }
}

import Foundation
import KoerierCore

// CM.com (Business Messaging) status reports.
//
// Sources: https://developers.cm.com/messaging/docs/sms#status-report-webhook (GET with query parameters, or POST
// form or flat JSON): `sent`, `received`, `to`, `reference` (ours), `statuscode` (0 accepted by the operator,
// 1 rejected, 2 delivered, 3 failed), `errorcode`, `errordescription`. CM does not sign reports and takes the
// report URL per account (the CM portal, "Status report URL"), not per message: Koerier authenticates by a secret
// token in that URL (`/dlr/<name>/<token>` or `?token=`). CM's nested XML and JSON report forms are not read.
// The field names were written from the documentation as remembered; they were not checked against a fetched
// copy in this change.

/// CM: authenticated by the URL token (`report_secret`).
public struct CMDeliveryReport: DeliveryReportCodec {
    public let kind = "cm"

    public init() {}

    public func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome {
        if let problem = ReportCheck.urlTokenProblem(request, secret: secret) { return .unauthenticated(why: problem) }
        let fields = Dictionary(request.fields.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let reference = ReportCheck.identifier(fields["reference"]) else { return .malformed(why: "no valid reference") }
        guard let status = ReportCheck.number(fields["statuscode"], in: 0...3) else { return .malformed(why: "statuscode is not 0, 1, 2 or 3") }
        let errorCode = fields["errorcode"].flatMap { $0.isEmpty ? nil : $0 }
        if let errorCode, ReportCheck.number(errorCode, in: 0...99_999) == nil { return .malformed(why: "errorcode is not a number") }
        let description = ReportCheck.text(fields["errordescription"], limit: 200)
        let code = "statuscode \(status)" + (errorCode.map { " error \($0)" } ?? "")
        let report: DeliveryStatus.Report
        switch status {
        case 2: report = .delivered(part: nil)
        case 1, 3: report = .undelivered(code: code, detail: "cm: " + (description ?? (status == 1 ? "rejected" : "failed")))
        default: report = .delayed
        }
        return .report(FeedbackReport(source: source, match: .init(reference: reference), report: report, code: code, detail: description))
    }
}

import Foundation

/// A report kept in `<spool>/inbound/` until its action's `sent` is journalled: one small JSON file each.
public struct HeldReport: Sendable, Equatable {
    /// File names of held reports start with this and end in `.report`.
    public static let prefix = "held-"
    /// The report as it was accepted.
    public var report: FeedbackReport
    /// When it was first held (it is dropped after the desk's hold period).
    public var heldAt: Date

    /// A report held since `heldAt`.
    public init(report: FeedbackReport, heldAt: Date) {
        self.report = report
        self.heldAt = heldAt
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = "{\"held_at\":\"\(RFC3339.format(heldAt))\""
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            out += ",\"\(key)\":"
            JSONText.appendQuoted(value, to: &out)
        }
        add("source", report.source)
        add("action", report.match.actionID)
        add("reference", report.match.reference)
        add("message_id", report.match.providerMessageID)
        switch report.report {
        case .delivered(let part):
            add("report", "delivered")
            add("part", part)
        case .undelivered(let code, let detail):
            add("report", "undelivered")
            add("report_code", code)
            add("report_detail", detail)
        case .complained(let detail):
            add("report", "complained")
            add("report_detail", detail)
        case .delayed:
            add("report", "delayed")
        }
        add("code", report.code)
        add("detail", report.detail)
        if let parts = report.parts { out += ",\"parts\":\(parts)" }
        out += "}\n"
        return Array(out.utf8)
    }

    /// Reads a held report back; nil when the file is not one (at most 64 KiB).
    public init?(bytes: [UInt8]) {
        guard bytes.count <= 64 * 1024, case .object(let o)? = try? JSONParser.parse(bytes) else { return nil }
        func string(_ key: String) -> String? {
            if case .string(let s)? = o[key] { return s }
            return nil
        }
        guard let heldText = string("held_at"), let heldAt = RFC3339.parse(heldText), let source = string("source") else { return nil }
        let kind: DeliveryStatus.Report
        switch string("report") {
        case "delivered": kind = .delivered(part: string("part"))
        case "undelivered": kind = .undelivered(code: string("report_code") ?? "", detail: string("report_detail") ?? "")
        case "complained": kind = .complained(detail: string("report_detail") ?? "")
        case "delayed": kind = .delayed
        default: return nil
        }
        var parts: Int?
        if case .number(let n)? = o["parts"] {
            guard let value = Int(n), (1...255).contains(value) else { return nil }
            parts = value
        }
        let match = FeedbackReport.Match(actionID: string("action"), reference: string("reference"), providerMessageID: string("message_id"))
        self.init(report: FeedbackReport(source: source, match: match, report: kind, code: string("code"), detail: string("detail"), parts: parts), heldAt: heldAt)
    }
}

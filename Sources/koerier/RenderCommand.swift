import ArgumentParser
import Foundation
import KoerierCore
import Logging

/// `koerier render`: shows the message an action would produce, sending nothing.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the message an action file would produce (headers and bodies, or the SMS with encoding and parts)."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Argument(help: "The action file (JSON).")
    var action: String

    @Option(name: .long, help: "Also write the HTML body of an email to this file, for a browser preview.")
    var htmlOut: String?

    @Option(name: .long, help: "Render as of this RFC 3339 time instead of now (dates such as pay_by depend on it).")
    var at: String?

    @Option(name: .long, help: ArgumentHelp(
        "A 14-day letter Koerier sent, as its journal would know it: ACTION_ID=YYYY-MM-DD[:INVOICE,INVOICE] (sent day; the invoices it covered, default this action's). Repeatable.",
        valueName: "notice"))
    var notice: [String] = []

    func run() async throws {
        Bootstrap.logging(level: "warning")
        let configuration = try Bootstrap.loadConfiguration(config)
        let runtime = try Bootstrap.loadRuntime(configuration, logger: Logger(label: "koerier"), transports: false)
        guard let data = FileManager.default.contents(atPath: action) else {
            Bootstrap.fail("\(action): cannot be read")
            throw Sysexits.dataError
        }
        let now: Date
        if let at {
            guard let parsed = RFC3339.parse(at) else {
                Bootstrap.fail("--at \"\(at)\" is not an RFC 3339 time such as 2026-11-22T09:00:00+01:00")
                throw Sysexits.usage
            }
            now = parsed
        } else {
            now = Date()
        }
        let parsed: Action
        do {
            parsed = try ActionDecoder.decode([UInt8](data))
        } catch {
            Bootstrap.fail("\(action): \(error)")
            throw Sysexits.dataError
        }
        var records: [String: StatutoryNoticeRecord] = [:]
        for item in notice {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let fields = parts.count == 2 ? parts[1].split(separator: ":", maxSplits: 1).map(String.init) : []
            guard parts.count == 2, let day = fields.first.flatMap({ CalendarDate(iso: $0) }) else {
                Bootstrap.fail("--notice \"\(item)\" must look like wik-0001=2026-11-02 or wik-0001=2026-11-02:F1,F2")
                throw Sysexits.usage
            }
            let invoices = fields.count == 2 ? fields[1].split(separator: ",").map(String.init) : parsed.invoices.map(\.number)
            records[parts[0]] = StatutoryNoticeRecord(stage: WIKRule.stage, debtorID: parsed.debtor.id, sent: day, invoiceNumbers: invoices)
        }
        let notices = KnownStatutoryNotices(records)
        do {
            switch parsed.channel {
            case .email:
                let rendered = try runtime.renderer.renderEmail(parsed, now: now, notices: notices)
                let attachments = try MessageFactory.loadAttachments(parsed, root: configuration.attachments)
                let message = MessageFactory.email(parsed, rendered: rendered, configuration: configuration, now: now, attachments: attachments)
                print("# template: \(rendered.template) (sha256 \(rendered.templateSHA256.prefix(12))…)\(rendered.variant.map { ", variant \($0)" } ?? "")")
                print(Self.readable(message, rendered: rendered))
                if let htmlOut {
                    try Data(rendered.html.utf8).write(to: URL(fileURLWithPath: htmlOut))
                    print("# HTML written to \(htmlOut)")
                }
            case .sms:
                let rendered = try runtime.renderer.renderSMS(parsed, now: now, notices: notices)
                let plan = rendered.plan
                print("# template: \(rendered.template)\(rendered.variant.map { ", variant \($0)" } ?? "")")
                print("To: \(parsed.recipient.phone?.e164 ?? "")")
                print("From: \(configuration.sms.sender)")
                print("Encoding: \(plan.encoding.rawValue)")
                print("Characters: \(plan.characters) (\(plan.units) \(plan.encoding == .gsm7 ? "septets" : "UCS-2 units"))")
                print("Parts: \(plan.parts) of at most \(configuration.sms.maximumParts)")
                if !plan.transliterated.isEmpty { print("Transliterated: \(plan.transliterated.joined(separator: ", "))") }
                print("")
                print(plan.text)
            }
        } catch let error as RenderError {
            Bootstrap.fail("\(action): \(error.reason)")
            throw Sysexits.dataError
        }
    }

    /// The headers as sent, then the text and HTML bodies decoded for reading.
    static func readable(_ message: EmailMessage, rendered: RenderedEmail) -> String {
        let text = String(decoding: message.bytes, as: UTF8.self)
        let headers = text.components(separatedBy: "\r\n\r\n").first ?? ""
        return headers.replacingOccurrences(of: "\r\n", with: "\n")
            + "\nSubject (decoded): \(rendered.subject)\n\n----- text/plain -----\n\(rendered.text)\n----- text/html -----\n\(rendered.html)"
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// Golden files: realistic actions rendered with the shipped templates at a fixed moment, compared with letters
/// a credit controller approved (`Tests/Golden/*.approved.txt`). Run with `KOERIER_UPDATE_GOLDEN=1` to rewrite
/// them after an intended template change, then read the diff before committing.
@Suite("Golden letters")
struct GoldenTests {
    static let folder = TestSupport.packageRoot + "/Tests/Golden"
    static let moment = RFC3339.parse("2026-11-23T09:00:00+01:00")!

    static var actions: [String] {
        let letters = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }
        let refused = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/refused")) ?? []).filter { $0.hasSuffix(".json") }
        return (letters + refused.map { "refused/" + $0 }).sorted()
    }

    /// The readable form that is approved: subject and text for email, text with its plan for SMS.
    static func render(_ file: String) throws -> String {
        let configuration = try TestSupport.demoConfiguration()
        let renderer = Renderer(store: try TestSupport.shippedStore(), configuration: configuration)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
        let action = try ActionDecoder.decode(bytes)
        if file.hasPrefix("refused/") {
            // A letter the rules refuse: the approved text is the reason the engine reads in rejected/.
            do {
                switch action.channel {
                case .email: _ = try renderer.renderEmail(action, now: moment)
                case .sms: _ = try renderer.renderSMS(action, now: moment)
                }
                return "Rendered, but should have been refused\n"
            } catch {
                return "Rejected: \(error.reason)\n"
            }
        }
        switch action.channel {
        case .email:
            let email = try renderer.renderEmail(action, now: moment)
            return "Template: \(email.template)\nSubject: \(email.subject)\n\n\(email.text)"
        case .sms:
            let sms = try renderer.renderSMS(action, now: moment)
            return "Template: \(sms.template)\nEncoding: \(sms.plan.encoding.rawValue), \(sms.plan.characters) characters, \(sms.plan.parts) part(s)\n\n\(sms.plan.text)\n"
        }
    }

    @Test("there is a golden action for consumer and business, one and several invoices, with and without a payment link")
    func coverage() {
        #expect(Self.actions.count >= 9)
        #expect(Self.actions.filter { $0.hasPrefix("refused/") }.count >= 10, "one refused action per rule of issue 9")
    }

    @Test("each rendered letter matches its approved file", arguments: GoldenTests.actions)
    func matches(_ file: String) throws {
        let rendered = try Self.render(file)
        let approvedPath = Self.folder + "/" + file.replacingOccurrences(of: ".json", with: ".approved.txt")
        if ProcessInfo.processInfo.environment["KOERIER_UPDATE_GOLDEN"] == "1" {
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: approvedPath))
        }
        let approved = try #require(try? String(contentsOfFile: approvedPath, encoding: .utf8), "no approved file \(approvedPath)")
        if rendered != approved {
            let a = approved.split(separator: "\n", omittingEmptySubsequences: false)
            let r = rendered.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(a, r)).firstIndex { $0.0 != $0.1 } ?? min(a.count, r.count)
            Issue.record("\(file) differs from its approved letter at line \(line + 1):\n approved: \(line < a.count ? String(a[line]) : "<end>")\n rendered: \(line < r.count ? String(r[line]) : "<end>")")
        }
    }
}

import Foundation
import Testing
@testable import KoerierCore

private let settings = Configuration.BounceSettings(domain: "bounces.voorbeeld.nl", secret: "0123456789abcdef0123456789abcdef")
private let longID = String(repeating: "lang-actie-", count: 5)

private func message(_ file: String, to recipient: String?, verp: String = "") throws -> InboundMessage {
    let path = TestSupport.packageRoot + "/Tests/Bounces/" + file
    let data = try #require(FileManager.default.contents(atPath: path))
    let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "@@VERP@@", with: verp)
    return InboundMessage(recipient: recipient, message: Array(text.utf8)[...])
}

private func classify(_ message: InboundMessage) -> BounceClassifier.Outcome {
    BounceClassifier.classify(message, bounce: settings) { $0 == StableHash.fnv1a64(longID) ? longID : nil }
}

@Suite("BounceClassifier")
struct BounceClassifierTests {
    @Test("a failed DSN to a good token is undelivered with the DSN status and diagnostic", arguments: [
        ("postfix-5.1.1.eml", "5.1.1"), ("exchange-5.4.1.eml", "5.4.1"), ("global-5.1.10.eml", "5.1.10"),
    ])
    func undelivered(_ file: String, _ status: String) throws {
        let outcome = classify(try message(file, to: settings.envelopeSender(actionID: "A-1")))
        guard case .report(let report) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(report.source == "email")
        #expect(report.match.actionID == "A-1")
        #expect(report.code == status)
        #expect(report.detail?.contains(status) == true)
        guard case .undelivered(let code, _) = report.report else {
            Issue.record("\(report.report)")
            return
        }
        #expect(code == status)
    }

    @Test("a DSN captured from a real Postfix 3.7 pipe delivery (as koerier bounce kept it) marks its action undelivered 5.1.1")
    func realPostfix() throws {
        let data = try #require(FileManager.default.contents(atPath: TestSupport.packageRoot + "/Tests/Bounces/postfix-3.7-real-5.1.1.eml"))
        let kept = InboundMessage(file: [UInt8](data))
        #expect(kept.recipient == "bounce+aiewte-6d14c8ba543442363089@bounces.voorbeeld.test")
        let captured = Configuration.BounceSettings(domain: "bounces.voorbeeld.test", secret: "0123456789abcdef0123456789abcdef")
        let outcome = BounceClassifier.classify(kept, bounce: captured) { _ in nil }
        guard case .report(let report) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(report.match.actionID == "A-2")
        #expect(report.code == "5.1.1")
        #expect(report.detail == "smtp; 550 5.1.1 user unknown")
        // The same bytes under another secret mark nothing.
        let other = Configuration.BounceSettings(domain: "bounces.voorbeeld.test", secret: "another secret of enough length")
        #expect(BounceClassifier.classify(kept, bounce: other) { _ in nil } == .drop(kind: "forged",
            why: "the bounce address carries a token that does not verify (forged, altered, or an action outside the window)"))
    }

    @Test("a long action id comes back through its hash, and only with the right mac")
    func longIDs() throws {
        let outcome = classify(try message("postfix-5.1.1.eml", to: settings.envelopeSender(actionID: longID).uppercased()))
        guard case .report(let report) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(report.match.actionID == longID)
    }

    @Test("what must never mark anything", arguments: [
        ("postfix-5.1.1.eml", "forged: another secret", "forged"),
        ("postfix-5.1.1.eml", "not a bounce address", "no_action"),
        ("postfix-5.1.1.eml", "no recipient at all", "no_action"),
        ("out-of-office.eml", "an out-of-office reply", "not_report"),
        ("junk.eml", "junk", "not_report"),
    ])
    func dropped(_ file: String, _ label: String, _ kind: String) throws {
        let recipient: String?
        switch label {
        case "forged: another secret": recipient = BounceAddress.address(actionID: "A-1", domain: settings.domain, secret: "a guessed secret, not ours")
        case "not a bounce address": recipient = "debiteuren@voorbeeld.nl"
        case "no recipient at all": recipient = nil
        default: recipient = settings.envelopeSender(actionID: "A-1")
        }
        let outcome = classify(try message(file, to: recipient))
        guard case .drop(let got, _) = outcome else {
            Issue.record("\(label): \(outcome)")
            return
        }
        #expect(got == kind, "\(label)")
    }

    @Test("a delay notice changes nothing but a counter")
    func delayed() throws {
        #expect(classify(try message("delayed.eml", to: settings.envelopeSender(actionID: "A-1"))) == .delayed(actionID: "A-1"))
    }

    @Test("a complaint sent to the abuse address finds its action through the original envelope sender")
    func complaint() throws {
        let outcome = classify(try message("arf-abuse.eml", to: "abuse@voorbeeld.nl", verp: settings.envelopeSender(actionID: "A-7")))
        guard case .report(let report) = outcome, case .complained = report.report else {
            Issue.record("\(outcome)")
            return
        }
        #expect(report.match.actionID == "A-7")
        let forged = classify(try message("arf-abuse.eml", to: "abuse@voorbeeld.nl",
                                          verp: BounceAddress.address(actionID: "A-7", domain: settings.domain, secret: "guessed secret value")))
        guard case .drop(let kind, _) = forged else {
            Issue.record("\(forged)")
            return
        }
        #expect(kind == "forged")
    }

    @Test("the recipient comes from --recipient, else Delivered-To, X-Original-To, To")
    func recipient() throws {
        let bytes = Array("X-Original-To: b@x.nl\nDelivered-To: Bounce <a@x.nl>\nTo: c@x.nl\n\nhi\n".utf8)[...]
        #expect(InboundMessage.recipient(given: "z@x.nl", message: bytes) == "z@x.nl")
        #expect(InboundMessage.recipient(given: nil, message: bytes) == "a@x.nl")
        #expect(InboundMessage.recipient(given: nil, message: Array("To: Iemand <c@x.nl>, d@x.nl\n\n".utf8)[...]) == "c@x.nl")
        #expect(InboundMessage.recipient(given: nil, message: Array("Subject: x\n\n".utf8)[...]) == nil)
        let kept = InboundMessage(recipient: "a@x.nl\r\nInjected: yes", message: bytes)
        let back = InboundMessage(file: kept.encoded())
        #expect(back.recipient == "a@x.nlInjected: yes")
        #expect(back.message.elementsEqual(bytes))
    }
}

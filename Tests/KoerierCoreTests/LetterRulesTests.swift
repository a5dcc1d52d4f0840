import Foundation
import Testing
@testable import KoerierCore

/// One action that a rule must refuse (or let through), with the rule and invoice it must name.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let label: String
    let build: @Sendable (inout Action) -> Void
    let rule: String?
    var invoice: String? = nil
    var reason: String = ""
    var testDescription: String { label }
}

private let today = CalendarDate(year: 2026, month: 11, day: 23)

/// A valid consumer aanmaning: one invoice of 500.00, 200.00 paid, due 31 October 2026.
private func base() -> Action {
    ActionFactory.action(stage: "aanmaning", segment: "consument", tone: .zakelijk, debtorType: .consumer,
                         invoices: [ActionFactory.invoice("F1", amount: "500.00", open: "300.00")])
}

/// The 14-day letter Koerier sent on 2 November 2026 for F1, as the journal knows it.
private let sentNotice = StatutoryNoticeRecord(stage: "veertiendagenbrief", debtorID: "D-10042",
                                               sent: CalendarDate(year: 2026, month: 11, day: 2), invoiceNumbers: ["F1"])

private let ruleCases: [RuleCase] = [
    RuleCase(label: "a valid aanmaning passes", build: { _ in }, rule: nil),
    RuleCase(label: "aanmaning for an invoice not yet due", build: { $0.invoices[0].dueDate = CalendarDate(year: 2026, month: 11, day: 23) },
             rule: "not-yet-due", invoice: "F1", reason: "due on 2026-11-23"),
    RuleCase(label: "herinnering with one of two invoices not yet due", build: {
        $0.stage = "herinnering"
        $0.invoices.append(ActionFactory.invoice("F2", amount: "10.00", due: CalendarDate(year: 2026, month: 12, day: 1)))
    }, rule: "not-yet-due", invoice: "F2"),
    RuleCase(label: "vooraf for an invoice already overdue", build: { $0.stage = "vooraf" },
             rule: "pre-due-but-overdue", invoice: "F1", reason: "use herinnering"),
    RuleCase(label: "vooraf before the due date passes", build: {
        $0.stage = "vooraf"
        $0.invoices[0].dueDate = CalendarDate(year: 2026, month: 12, day: 1)
    }, rule: nil),
    RuleCase(label: "bedankt while something is open", build: { $0.stage = "bedankt" },
             rule: "thanks-while-open", invoice: "F1", reason: "300.00 is still open"),
    RuleCase(label: "bedankt when all is paid passes", build: { $0.stage = "bedankt"; $0.invoices[0].open = .zero }, rule: nil),
    RuleCase(label: "a demand for a credit balance", build: {
        $0.invoices.append(ActionFactory.invoice("C1", amount: "-305.00"))
    }, rule: "credit-note", invoice: "C1", reason: "a credit note or an overpaid invoice is not a debt"),
    RuleCase(label: "a credit note beside a larger invoice (never -€ in a letter)", build: {
        $0.invoices.append(ActionFactory.invoice("C2", amount: "-5.00"))
    }, rule: "credit-note", invoice: "C2", reason: "amount -5.00, open -5.00"),
    RuleCase(label: "an invoice paid more than in full (open below zero)", build: { $0.invoices[0].open = Money("-5.00")! },
             rule: "credit-note", invoice: "F1", reason: "open -5.00"),
    RuleCase(label: "a demand for nothing", build: { $0.invoices[0].open = .zero }, rule: "nothing-open"),
    RuleCase(label: "open above the amount of a credit note", build: {
        $0.invoices.append(ActionFactory.invoice("C2", amount: "-50.00", open: "-80.00"))
    }, rule: "open-exceeds-amount", invoice: "C2"),
    RuleCase(label: "consumer costs without statutory_notice", build: { $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00") },
             rule: "costs-without-notice", reason: "statutory_notice"),
    RuleCase(label: "consumer costs in an aanmaning (before any 14-day letter)", build: { $0.collectionCosts = Money("45.00") },
             rule: "wik", reason: "only in laatste-aanmaning or overdracht"),
    RuleCase(label: "consumer costs after a 14-day letter Koerier sent, term passed", build: {
        $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00"); $0.statutoryNotice = .action("wik-1")
    }, rule: nil),
    RuleCase(label: "consumer costs while the term still runs", build: {
        $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00"); $0.statutoryNotice = .action("wik-late")
    }, rule: "notice-term-running", reason: "its term runs until 2026-11-24"),
    RuleCase(label: "consumer costs on a 14-day letter that bounced", build: {
        $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00"); $0.statutoryNotice = .action("wik-bounced")
    }, rule: "notice-undelivered"),
    RuleCase(label: "consumer costs on a 14-day letter Koerier never sent", build: {
        $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00"); $0.statutoryNotice = .action("wik-unknown")
    }, rule: "notice-not-found"),
    RuleCase(label: "consumer costs on an invoice the 14-day letter did not cover", build: {
        $0.stage = "laatste-aanmaning"; $0.collectionCosts = Money("45.00"); $0.statutoryNotice = .action("wik-1")
        $0.invoices.append(ActionFactory.invoice("F9", amount: "20.00"))
    }, rule: "notice-does-not-cover-invoice", invoice: "F9"),
    RuleCase(label: "consumer costs after a letter by post, term passed", build: {
        $0.stage = "overdracht"; $0.collectionCosts = Money("45.00")
        $0.statutoryNotice = .external(date: CalendarDate(year: 2026, month: 11, day: 1), channel: "post")
    }, rule: nil),
    RuleCase(label: "consumer costs after a letter by post, term not passed", build: {
        $0.stage = "overdracht"; $0.collectionCosts = Money("45.00")
        $0.statutoryNotice = .external(date: CalendarDate(year: 2026, month: 11, day: 7), channel: "post")
    }, rule: "notice-term-running", reason: "delivered on 2026-11-09"),
    RuleCase(label: "business costs above the staffel without a contractual basis", build: {
        $0.debtor.type = .business; $0.segment = "zakelijk"; $0.collectionCosts = Money("100.00")
    }, rule: "costs-above-staffel", reason: "data.kostenbeding"),
    RuleCase(label: "business costs above the staffel with a contractual basis", build: {
        $0.debtor.type = .business; $0.collectionCosts = Money("100.00")
        $0.data["kostenbeding"] = .string("artikel 8 van onze algemene voorwaarden")
    }, rule: nil),
    RuleCase(label: "business costs within the staffel", build: { $0.debtor.type = .business; $0.collectionCosts = Money("45.00") }, rule: nil),
    RuleCase(label: "betalingsregeling without instalment data", build: { $0.stage = "betalingsregeling" },
             rule: "instalment-data", reason: "data.aantal_termijnen is missing"),
    RuleCase(label: "betalingsregeling whose instalments do not add up", build: {
        $0.stage = "betalingsregeling"
        $0.data = ["aantal_termijnen": .number("3"), "termijnbedrag": .string("90.00"), "eerste_termijn": .string("2026-12-01")]
    }, rule: "instalments-do-not-add-up", reason: "add up to 270.00, but 300.00 is owed"),
    RuleCase(label: "betalingsregeling with a money field as a float", build: {
        $0.stage = "betalingsregeling"
        $0.data = ["aantal_termijnen": .number("3"), "termijnbedrag": .string("100,00"), "eerste_termijn": .string("2026-12-01")]
    }, rule: "instalment-data", reason: "data.termijnbedrag"),
    RuleCase(label: "betalingsregeling that adds up with a smaller last instalment", build: {
        $0.stage = "betalingsregeling"
        $0.data = ["aantal_termijnen": .number("4"), "termijnbedrag": .string("80.00"), "laatste_termijnbedrag": .string("60.00"),
                   "eerste_termijn": .string("2026-12-01")]
    }, rule: nil),
    RuleCase(label: "termijnherinnering without its date", build: {
        $0.stage = "termijnherinnering"; $0.data = ["termijnbedrag": .string("100.00")]
    }, rule: "instalment-data", reason: "data.termijn_datum is missing"),
    RuleCase(label: "SMS to a Dutch landline", build: {
        $0.channel = .sms; $0.recipient.phone = try? PhoneNumber.parse("020-1234567")
    }, rule: "sms-not-mobile", reason: "020-123 45 67"),
    RuleCase(label: "SMS to a Dutch mobile passes", build: { $0.channel = .sms }, rule: nil),
    RuleCase(label: "a 14-day letter to a business", build: { $0.stage = "veertiendagenbrief"; $0.debtor.type = .business },
             rule: "fourteen-day-letter-for-business"),
]

@Suite("Letter rules")
struct LetterRulesTests {
    static let notices = KnownStatutoryNotices([
        "wik-1": sentNotice,
        "wik-late": StatutoryNoticeRecord(stage: "veertiendagenbrief", debtorID: "D-10042", sent: CalendarDate(year: 2026, month: 11, day: 9),
                                          delivered: CalendarDate(year: 2026, month: 11, day: 10), invoiceNumbers: ["F1"]),
        "wik-bounced": StatutoryNoticeRecord(stage: "veertiendagenbrief", debtorID: "D-10042", sent: CalendarDate(year: 2026, month: 11, day: 2),
                                             undelivered: true, invoiceNumbers: ["F1"]),
    ])

    @Test("each refusal names its rule, the invoice and the reason", arguments: ruleCases)
    func rule(_ ruleCase: RuleCase) {
        var action = base()
        ruleCase.build(&action)
        let refusal = LetterRules.refusal(for: action, today: today, settings: LetterSettings(), calendar: .standard, notices: Self.notices)
        #expect(refusal?.rule == ruleCase.rule, "\(refusal?.description ?? "passed")")
        if ruleCase.rule != nil {
            #expect(refusal?.invoice == ruleCase.invoice)
            #expect(ruleCase.reason.isEmpty || refusal?.description.contains(ruleCase.reason) == true, "\(refusal?.description ?? "")")
            #expect(refusal?.description.hasPrefix("rule \(ruleCase.rule ?? "")") == true)
        }
    }

    @Test("the 14-day term ends on a working day: a last day on Saturday runs to Monday")
    func termOnWeekend() {
        // Delivered Friday 6 November: day 14 is Friday 20 November; delivered Saturday 7th: day 14 is Saturday 21st -> Monday 23rd.
        var action = base()
        action.stage = "laatste-aanmaning"
        action.collectionCosts = Money("45.00")
        action.statutoryNotice = .external(date: CalendarDate(year: 2026, month: 11, day: 7), channel: "email")
        let refusal = LetterRules.refusal(for: action, today: today, settings: LetterSettings(), calendar: .standard, notices: NoStatutoryNotices())
        #expect(refusal?.rule == "notice-term-running")
        #expect(refusal?.description.contains("runs until 2026-11-23") == true)
        action.statutoryNotice = .external(date: CalendarDate(year: 2026, month: 11, day: 6), channel: "email")
        #expect(LetterRules.refusal(for: action, today: today, settings: LetterSettings(), calendar: .standard, notices: NoStatutoryNotices()) == nil)
    }

    @Test("creditors who cannot deduct VAT may charge WIK plus 21 % btw, not more", arguments: [
        (false, "45.00", true), (false, "45.01", false), (true, "54.45", true), (true, "54.46", false),
    ])
    func vat(includeVAT: Bool, costs: String, allowed: Bool) {
        // WIK on 300.00 is 45.00; with 21 % btw 54.45.
        var action = base()
        action.stage = "laatste-aanmaning"
        action.collectionCosts = Money(costs)
        action.statutoryNotice = .action("wik-1")
        let refusal = LetterRules.refusal(for: action, today: today, settings: LetterSettings(collectionCostsIncludeVAT: includeVAT),
                                          calendar: .standard, notices: Self.notices)
        #expect((refusal == nil) == allowed, "\(refusal?.description ?? "passed")")
        #expect(LetterRules.statutoryCosts(principal: Money(cents: 30_000), includeVAT: includeVAT) == (includeVAT ? Money("54.45") : Money("45.00")))
    }

    @Test("the renderer rejects with the rule: the reason names rule and invoice")
    func renderer() throws {
        let renderer = Renderer(store: try TestSupport.shippedStore(), configuration: try TestSupport.demoConfiguration())
        var action = base()
        action.invoices[0].dueDate = CalendarDate(year: 2026, month: 12, day: 31)
        let now = try #require(RFC3339.parse("2026-11-23T09:00:00+01:00"))
        do {
            _ = try renderer.renderEmail(action, now: now)
            Issue.record("rendered a demand for an invoice that is not due")
        } catch {
            #expect(error.reason.hasPrefix("rule not-yet-due, invoice F1: stage aanmaning demands payment of an invoice that is due on 2026-12-31"))
        }
        action.invoices[0].dueDate = CalendarDate(year: 2026, month: 10, day: 31)
        action.stage = "laatste-aanmaning"
        action.tone = .formeel
        action.collectionCosts = Money("45.00")
        action.statutoryNotice = .action("wik-1")
        #expect(throws: RenderError.self) { try renderer.renderEmail(action, now: now) }
        let email = try renderer.renderEmail(action, now: now, notices: Self.notices)
        #expect(email.text.contains("€ 45,00"))
    }

    @Test("statutory_notice decodes {action} and {date, channel}, and refuses both at once")
    func decoding() throws {
        let withAction = SampleActions.minimalEmail.setting("statutory_notice", .object(["action": .string("wik-1")]))
        #expect(try ActionDecoder.decode(withAction.jsonBytes).statutoryNotice == .action("wik-1"))
        let external = SampleActions.minimalEmail.setting("statutory_notice", .object(["date": .string("2026-11-02"), "channel": .string("post")]))
        #expect(try ActionDecoder.decode(external.jsonBytes).statutoryNotice == .external(date: CalendarDate(year: 2026, month: 11, day: 2), channel: "post"))
        let both = SampleActions.minimalEmail.setting("statutory_notice", .object(["action": .string("wik-1"), "date": .string("2026-11-02")]))
        #expect(throws: ActionError.self) { try ActionDecoder.decode(both.jsonBytes) }
        let pigeon = SampleActions.minimalEmail.setting("statutory_notice", .object(["date": .string("2026-11-02"), "channel": .string("duif")]))
        #expect(throws: ActionError.self) { try ActionDecoder.decode(pigeon.jsonBytes) }
    }
}

/// The rules where the dispatcher prepares a message: a refused letter ends in rejected/ with the rule as its reason.
@Suite("Letter rules in the dispatcher", .serialized)
struct LetterRulesDispatchTests {
    @Test("a demand for an invoice not yet due is rejected, journalled and never sent; its reason names rule and invoice")
    func rejectedByDispatcher() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        let early = emailAction("r1").replacingOccurrences(of: "\"due_date\":\"2026-10-31\"", with: "\"due_date\":\"2026-12-15\"")
        try fixture.drop(early, as: "r1.json")
        try fixture.drop(emailAction("r2"), as: "r2.json")
        let email = ScriptedEmail()
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(email.count == 1)
        #expect(fixture.files(.rejected) == ["r1.json"])
        #expect(fixture.files(.sent) == ["r2.json"])
        #expect(fixture.reason(.rejected, "r1.json")?.contains("rule not-yet-due, invoice F-1: stage herinnering demands payment of an invoice that is due on 2026-12-15") == true)
        #expect(fixture.events("r1").last == .rejected)
    }
}

/// `statutory_notice {action}`: the dispatcher finds the 14-day letter in its own journal.
@Suite("Statutory notice from the journal", .serialized)
struct StatutoryNoticeJournalTests {
    @Test("costs after a 14-day letter Koerier sent: refused while its term runs, sent once it has passed")
    func noticeFromJournal() async throws {
        let fixture = try DispatcherFixture()
        defer { fixture.remove() }
        let email = ScriptedEmail()
        try fixture.drop(emailAction("vdb1", stage: "veertiendagenbrief"), as: "vdb1.json")
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning))
        #expect(fixture.files(.sent) == ["vdb1.json"])
        let sent = try #require(fixture.events.last { $0.action == "vdb1" && $0.event == .sent })
        #expect(sent.invoices == ["F-1"], "the 14-day letter's sent event keeps the invoices it covered")

        let costs = WIK.collectionCosts(principal: Money("1234.56")!)
        func demand(_ id: String) -> String {
            emailAction(id, extra: ",\"collection_costs\":\"\(costs.description)\",\"statutory_notice\":{\"action\":\"vdb1\"}", stage: "laatste-aanmaning")
                .replacingOccurrences(of: "\"D-\(id)\"", with: "\"D-vdb1\"")
        }
        try fixture.drop(demand("lam1"), as: "lam1.json")
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 10 * 86_400))
        #expect(fixture.files(.rejected) == ["lam1.json"])
        #expect(fixture.reason(.rejected, "lam1.json")?.contains("rule notice-term-running") == true, "\(fixture.reason(.rejected, "lam1.json") ?? "")")

        try fixture.drop(demand("lam2"), as: "lam2.json")
        try await fixture.runOnce(email: email, clock: TestClock(mondayMorning + 20 * 86_400))
        #expect(fixture.files(.sent) == ["lam2.json", "vdb1.json"], "\(fixture.reason(.rejected, "lam2.json") ?? "")")
    }

    @Test("a 14-day letter that bounced does not count")
    func undeliveredNotice() {
        var sent = JournalEvent(ts: mondayMorning, action: "vdb9", event: .sent)
        sent.stage = "veertiendagenbrief"
        sent.debtor = "D-1"
        sent.invoices = ["F-1", "F-2"]
        let bounce = JournalEvent(ts: mondayMorning + 3600, action: "vdb9", event: .undelivered)
        let zone = TimeZone(identifier: "Europe/Amsterdam")!
        let record = JournalNotices.record(from: [sent, bounce], timeZone: zone)
        #expect(record?.undelivered == true)
        #expect(record?.invoiceNumbers == ["F-1", "F-2"])
        #expect(record?.sent == CalendarDate(iso: "2026-11-23"))
        #expect(JournalNotices.record(from: [bounce], timeZone: zone) == nil)
    }
}

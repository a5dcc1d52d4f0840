import Foundation
import Testing
@testable import KoerierCore

/// The review points on the words of the shipped letters (issue 9, item 5), the law that follows `debtor.type`
/// (item 3), and every tone for every stage (item 4).
@Suite("Letter wording")
struct LetterWordingTests {
    static let now = GoldenTests.moment  // Monday 23 November 2026, 09:00 Amsterdam

    static func renderer(_ configure: (inout Configuration) -> Void = { _ in }) throws -> Renderer {
        var configuration = try TestSupport.demoConfiguration()
        configure(&configuration)
        return Renderer(store: try TestSupport.shippedStore(), configuration: configuration)
    }

    /// Whitespace collapsed, so wrapped lines read as one.
    static func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    static func action(stage: String, segment: String = "consument", tone: Action.Tone = .zakelijk, type: Action.Debtor.Kind = .consumer,
                       invoices: [Action.Invoice] = [ActionFactory.invoice("F2026-0815", amount: "1500.00")]) -> Action {
        ActionFactory.action(stage: stage, segment: segment, tone: tone, debtorType: type, invoices: invoices)
    }

    // MARK: - Salutations

    @Test("salutations drop titles and initials; a department gets 'Geachte heer, mevrouw,'", arguments: [
        ("mevrouw dr. J.M. de Vries", true, "Beste mevrouw De Vries,"),
        ("Mevrouw Dr. J.M. de Vries", false, "Geachte mevrouw De Vries,"),
        ("de heer mr. ing. P. Jansen MSc", false, "Geachte heer Jansen,"),
        ("Dr. Joëlle de Vries", false, "Geachte Joëlle de Vries,"),
        ("Afdeling Crediteuren", true, "Geachte heer, mevrouw,"),
        ("Crediteurenadministratie", false, "Geachte heer, mevrouw,"),
        ("T.a.v. de financiële administratie", false, "Geachte heer, mevrouw,"),
        ("Kees Smit", true, "Beste Kees Smit,"),
    ])
    func salutation(contact: String, friendly: Bool, expected: String) {
        #expect(TemplateContext.salutation(for: contact, friendly: friendly) == expected)
    }

    // MARK: - The law follows debtor.type (item 3)

    @Test("whatever segment the engine sends, a consumer never reads 6:119a or B2B cost wording, a business never the consumer WIK promise",
          arguments: ["aanmaning", "tweede-aanmaning", "ingebrekestelling", "laatste-aanmaning", "overdracht", "herinnering"])
    func lawFollowsDebtor(stage: String) throws {
        let renderer = try Self.renderer()
        for segment in ["consument", "zakelijk", "standaard", "hoog-risico"] {
            for tone in Action.Tone.allCases {
                for type in [Action.Debtor.Kind.consumer, .business] {
                    let email = try renderer.renderEmail(Self.action(stage: stage, segment: segment, tone: tone, type: type), now: Self.now)
                    let phrase = TemplateLinter.wrongLaw(email.subject + email.text + email.html, debtorType: type)
                    #expect(phrase == nil, "\(stage)/\(segment).\(tone) for a \(type): \(phrase ?? "")")
                }
            }
        }
    }

    @Test("the commercial-interest clause stays for a business in the zakelijk segment")
    func businessKeepsClause() throws {
        let renderer = try Self.renderer()
        let business = try renderer.renderEmail(Self.action(stage: "ingebrekestelling", segment: "zakelijk", tone: .formeel, type: .business), now: Self.now)
        #expect(business.text.contains("6:119a"))
        let consumer = try renderer.renderEmail(Self.action(stage: "ingebrekestelling", segment: "zakelijk", tone: .formeel, type: .consumer), now: Self.now)
        #expect(!consumer.text.contains("6:119a"))
        #expect(Self.flat(consumer.text).contains("wettelijke rente over het openstaande bedrag"))
    }

    // MARK: - Every tone for every stage (item 4)

    @Test("the shipped matrix: every email stage x segment x tone renders; SMS only lacks the stages that go by email")
    func matrix() throws {
        let configuration = try TestSupport.demoConfiguration()
        let linter = TemplateLinter(store: try TestSupport.shippedStore(), configuration: configuration)
        let cells = linter.matrix(now: Self.now)
        #expect(cells.count == 2 * 11 * 5 * 4)
        let rejected = cells.filter { $0.problem != nil }
        #expect(rejected.allSatisfy { $0.channel == .sms && $0.notOfferedBySMS }, "\(rejected.filter { !$0.notOfferedBySMS }.map { "\($0.channel) \($0.stage) \($0.segment) \($0.tone): \($0.problem ?? "")" })")
        #expect(Set(rejected.map(\.stage)) == ["ingebrekestelling", "veertiendagenbrief", "overdracht"])
        let lines = TemplateLinter.matrixLines(cells)
        #expect(lines.contains("email aanmaning consument: vriendelijk -> standaard.vriendelijk, zakelijk -> consument.zakelijk, dringend -> consument.dringend, formeel -> consument.zakelijk (fallback)"))
        for stage in ["herinnering", "aanmaning", "tweede-aanmaning"] {
            for tone in [Action.Tone.vriendelijk, .zakelijk, .dringend] {
                let cell = cells.first { $0.channel == .email && $0.stage == stage && $0.segment == "consument" && $0.tone == tone }
                #expect(cell?.usesFallbackTone == false, "\(stage) \(tone) has its own template")
            }
        }
    }

    @Test("the configured fallback tone is used and journalled as the template", arguments: [
        (Action.Tone.formeel, "zakelijk", "email/aanmaning/consument.zakelijk"),
        (.formeel, "dringend", "email/aanmaning/consument.dringend"),
        (.vriendelijk, "dringend", "email/aanmaning/standaard.vriendelijk"),
    ])
    func fallback(tone: Action.Tone, fallback: String, template: String) throws {
        let renderer = try Self.renderer { $0.letters.toneFallback["aanmaning"] = Action.Tone(rawValue: fallback) }
        let email = try renderer.renderEmail(Self.action(stage: "aanmaning", tone: tone), now: Self.now)
        #expect(email.template == template)
    }

    // MARK: - The words (item 5)

    @Test("several invoices: the term of the oldest one has passed, in every stage", arguments: [
        "herinnering", "aanmaning", "tweede-aanmaning", "ingebrekestelling", "veertiendagenbrief", "laatste-aanmaning", "overdracht",
    ])
    func oldest(stage: String) throws {
        let renderer = try Self.renderer()
        let invoices = [ActionFactory.invoice("F1", amount: "100.00"),
                        ActionFactory.invoice("F2", amount: "200.00", due: CalendarDate(year: 2026, month: 11, day: 10))]
        for (segment, type) in [("consument", Action.Debtor.Kind.consumer), ("zakelijk", .business)] where !(stage == WIKRule.stage && type == .business) {
            for tone in Action.Tone.allCases {
                let email = try renderer.renderEmail(Self.action(stage: stage, segment: segment, tone: tone, type: type, invoices: invoices), now: Self.now)
                #expect(!Self.flat(email.text).contains("De betaaltermijn is verlopen op"), "\(email.template)")
            }
        }
    }

    @Test("a partial payment is 'niet volledig betaald' with invoiced, paid and open; a full debt stays 'niet betaald'")
    func partial() throws {
        let renderer = try Self.renderer()
        let partial = try renderer.renderEmail(Self.action(stage: "aanmaning", segment: "zakelijk", type: .business,
                                                           invoices: [ActionFactory.invoice("F1", amount: "1500.00", open: "1234.56")]), now: Self.now)
        #expect(partial.subject.contains("nog niet volledig betaald"))
        let text = Self.flat(partial.text)
        #expect(text.contains("Gefactureerd: € 1.500,00 Al betaald: € 265,44 Nog open: € 1.234,56"))
        let full = try renderer.renderEmail(Self.action(stage: "aanmaning", segment: "zakelijk", type: .business), now: Self.now)
        #expect(full.subject.contains("nog niet betaald"))
        #expect(!full.text.contains("Al betaald"))
    }

    @Test("the Betreft line names customer and invoice numbers")
    func betreft() throws {
        let renderer = try Self.renderer()
        let one = try renderer.renderEmail(Self.action(stage: "herinnering"), now: Self.now)
        #expect(one.text.hasPrefix("Betreft: Klantnummer K-10042, factuur F2026-0815\n"))
        #expect(one.html.contains("Betreft: Klantnummer K-10042, factuur F2026-0815"))
        let many = (1...7).map { ActionFactory.invoice("F\($0)", amount: "10.00") }
        #expect(TemplateContext.betreft(Self.action(stage: "herinnering", invoices: many)) == "Klantnummer K-10042, facturen F1, F2, F3 en 4 andere (zie het overzicht)")
        #expect(TemplateContext.betreft(Self.action(stage: "herinnering", invoices: Array(many.prefix(3)))) == "Klantnummer K-10042, facturen F1, F2 en F3")
    }

    @Test("consumers get Geldfit from the aanmaning on; not in a herinnering, not a business", arguments: [
        ("aanmaning", Action.Debtor.Kind.consumer, true), ("veertiendagenbrief", .consumer, true), ("overdracht", .consumer, true),
        ("herinnering", .consumer, false), ("aanmaning", .business, false), ("laatste-aanmaning", .business, false),
    ])
    func debtHelp(stage: String, type: Action.Debtor.Kind, expected: Bool) throws {
        let renderer = try Self.renderer()
        let tone: Action.Tone = stage == "overdracht" || stage == WIKRule.stage ? .formeel : .zakelijk
        let email = try renderer.renderEmail(Self.action(stage: stage, segment: type == .consumer ? "consument" : "zakelijk", tone: tone, type: type), now: Self.now)
        #expect(email.text.contains("0800-8115") == expected)
        #expect(email.html.contains("www.geldfit.nl") == expected)
    }

    @Test("after the 14-day letter no letter promises another cost-free term", arguments: ["laatste-aanmaning", "overdracht"])
    func noSecondFreeTerm(stage: String) throws {
        let renderer = try Self.renderer()
        for segment in ["consument", "standaard"] {
            for tone in Action.Tone.allCases {
                let email = try renderer.renderEmail(Self.action(stage: stage, segment: segment, tone: tone), now: Self.now)
                #expect(!Self.flat(email.text).contains("zonder extra kosten"), "\(email.template)")
                #expect(!email.html.contains("zonder extra kosten"), "\(email.template)")
            }
        }
    }

    @Test("an SMS with collection costs states them beside the total")
    func smsCosts() throws {
        let renderer = try Self.renderer()
        var action = Self.action(stage: "laatste-aanmaning", tone: .formeel, invoices: [ActionFactory.invoice("F1", amount: "300.00")])
        action.channel = .sms
        action.collectionCosts = Money("45.00")
        action.statutoryNotice = .external(date: CalendarDate(year: 2026, month: 11, day: 2), channel: "email")
        let sms = try renderer.renderSMS(action, now: Self.now)
        #expect(sms.plan.text.contains("€ 345,00 (€ 300,00 plus € 45,00 incassokosten)"))
    }

    @Test("instalment data is printed as money and dates; an overdue instalment gets its own words")
    func instalments() throws {
        let renderer = try Self.renderer()
        var plan = Self.action(stage: "betalingsregeling", tone: .vriendelijk, invoices: [ActionFactory.invoice("F1", amount: "1234.56")])
        plan.data = ["aantal_termijnen": .number("4"), "termijnbedrag": .string("308.64"), "eerste_termijn": .string("2026-12-01")]
        let letter = Self.flat(try renderer.renderEmail(plan, now: Self.now).text)
        #expect(letter.contains("4 termijnen van € 308,64"))
        #expect(letter.contains("1 december 2026"))
        #expect(!letter.contains("308.64"))
        var reminder = Self.action(stage: "termijnherinnering", invoices: [ActionFactory.invoice("F1", amount: "1234.56")])
        reminder.data = ["termijnbedrag": .string("308.64"), "termijn_datum": .string("2026-11-20")]
        let overdue = Self.flat(try renderer.renderEmail(reminder, now: Self.now).text)
        reminder.data["termijn_datum"] = .string("2026-11-30")
        let coming = Self.flat(try renderer.renderEmail(reminder, now: Self.now).text)
        #expect(overdue.contains("niet op tijd betaald"))
        #expect(!coming.contains("niet op tijd betaald"))
        #expect(coming.contains("€ 308,64") && coming.contains("30 november 2026"))
    }

    @Test("restricted phrases match at the start of a word, and BKR is banned in every stage", arguments: [
        ("herinnering", "Zonder de buitengerechtelijke incassokosten.", nil),
        ("herinnering", "Anders volgt een gerechtelijke procedure.", "gerechtelijk"),
        ("overdracht", "Wij melden u bij het BKR.", "bkr"),
        ("ingebrekestelling", "Anders volgt een gerechtelijke procedure.", nil),
    ] as [(String, String, String?)])
    func restricted(stage: String, sentence: String, phrase: String?) throws {
        let configuration = try TestSupport.demoConfiguration()
        let root = try TestSupport.makeTemporaryFolder("restricted")
        defer { TestSupport.remove(root) }
        let base = "email/\(stage)/consument.zakelijk"
        try TestSupport.write("{{salutation}}\n\(sentence) U betaalt {{total_open}}.\n", to: base + ".text.mustache", under: root)
        let linter = TemplateLinter(store: try TemplateStore(root: root), configuration: configuration)
        let found = linter.lintSource(name: base + ".text", source: "{{salutation}}\n\(sentence) U betaalt {{total_open}}.\n")
            .filter { $0.message.contains("lint.restricted_phrases") }
        #expect(found.first.map { $0.message.hasPrefix("\"\(phrase ?? "")\"") } ?? (phrase == nil), "\(found)")
        #expect(found.isEmpty == (phrase == nil))
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// One stage/segment/tone combination the shipped templates must cover.
struct RenderCombination: Sendable, CustomTestStringConvertible {
    let stage: String
    let segment: String
    let tone: Action.Tone
    var testDescription: String { "\(stage)/\(segment).\(tone.rawValue)" }
}

private let combinations: [RenderCombination] = TemplateLinter.expectedTones.keys.sorted().flatMap { stage in
    ["consument", "zakelijk"].flatMap { segment -> [RenderCombination] in
        if stage == WIKRule.stage && segment == "zakelijk" { return [] }
        return (TemplateLinter.expectedTones[stage] ?? []).compactMap { tone in
            Action.Tone(rawValue: tone).map { RenderCombination(stage: stage, segment: segment, tone: $0) }
        }
    }
}

/// Shared fixtures: loading the templates once per test is fast enough, but keep it in one place.
private enum Shipped {
    static func renderer() throws -> Renderer {
        Renderer(store: try TestSupport.shippedStore(), configuration: try TestSupport.demoConfiguration())
    }

    /// 2026-11-22T08:30:00Z, a Sunday morning in Amsterdam.
    static let now = Date(timeIntervalSince1970: 1_795_336_200)
}

/// The lower-cased words of a text.
private func words(_ text: String) -> Set<String> {
    Set(text.lowercased().split { !$0.isLetter }.map(String.init))
}

@Suite("Rendering the shipped templates")
struct TemplateRenderingTests {
    @Test("every expected stage, segment and tone renders in the u-form with the total", arguments: combinations)
    func renderEmail(_ combination: RenderCombination) throws {
        let renderer = try Shipped.renderer()
        var invoice = ActionFactory.invoice("F2026-0815", amount: "1500.00", open: "1234.56")
        if combination.stage == "vooraf" { invoice.dueDate = CalendarDate(year: 2026, month: 12, day: 10) }
        if combination.stage == "bedankt" { invoice.open = .zero }
        var action = ActionFactory.action(
            stage: combination.stage, segment: combination.segment, tone: combination.tone,
            debtorType: combination.segment == "zakelijk" ? .business : .consumer, invoices: [invoice]
        )
        if combination.stage == "betalingsregeling" {
            action.data = ["aantal_termijnen": .number("4"), "termijnbedrag": .string("308.64"), "eerste_termijn": .string("2026-12-01")]
        } else if combination.stage == "termijnherinnering" {
            action.data = ["termijnbedrag": .string("308.64"), "termijn_datum": .string("2026-11-20")]
        }
        let rendered = try renderer.renderEmail(action, now: Shipped.now)
        let own = ["\(combination.segment).\(combination.tone.rawValue)", "standaard.\(combination.tone.rawValue)"]
        #expect(own.contains { rendered.template.hasPrefix("email/\(combination.stage)/\($0)") }, "fell back to \(rendered.template)")
        #expect(!rendered.subject.isEmpty)
        #expect(!rendered.subject.contains("\n") && !rendered.subject.contains("{{"))
        #expect(!rendered.text.contains("{{") && !rendered.html.contains("{{"), "unrendered Mustache tag")
        #expect(rendered.templateSHA256.count == 64)
        let textWords = words(rendered.text)
        #expect(!textWords.isDisjoint(with: ["u", "uw"]), "no u-form in the text")
        #expect(textWords.isDisjoint(with: ["je", "jij", "jou", "jouw"]), "je-form in the text")
        #expect(words(rendered.subject).isDisjoint(with: ["je", "jij", "jou", "jouw"]))
        #expect(rendered.text.contains("F2026-0815"))
        if combination.stage != "bedankt" {
            // A thank-you for a payment need not repeat the amount; every other stage must state it (an instalment
            // reminder states the instalment).
            let total = combination.stage == "termijnherinnering" ? "€ 308,64" : "€ 1.234,56"
            #expect(rendered.text.contains(total), "the total is missing from the text")
            #expect(rendered.html.contains(total), "the total is missing from the HTML")
        }
        #expect(rendered.html.contains("<"), "the HTML part has no markup")
    }

    @Test("the consumer 14-day letter states the statutory term and the WIK costs")
    func veertiendagenbrief() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "veertiendagenbrief", segment: "consument", tone: .formeel, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F2026-0900", amount: "2500.00")])
        let rendered = try renderer.renderEmail(action, now: Shipped.now)
        let collapsed = rendered.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(collapsed.contains("binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"))
        #expect(rendered.text.contains("€ 375,00"))
        #expect(rendered.text.contains("€ 2.500,00"))
        #expect(rendered.text.contains("€ 2.875,00"), "the total with costs is missing")
        for phrase in TemplateLinter.forbiddenWIKPhrases { #expect(!collapsed.lowercased().contains(phrase)) }
    }

    @Test("the consumer 14-day letter with costs that differ from the WIK amount is refused, naming the right amount")
    func wrongWIKCosts() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "veertiendagenbrief", segment: "consument", tone: .formeel, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F2026-0900", amount: "2500.00")],
                                          collectionCosts: Money("100.00"))
        let error = #expect(throws: RenderError.self) { try renderer.renderEmail(action, now: Shipped.now) }
        #expect(error?.reason.contains("375.00") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("100.00") == true)
    }

    @Test("stated costs equal to the WIK amount are accepted and printed")
    func rightWIKCosts() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "veertiendagenbrief", segment: "consument", tone: .formeel, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F2026-0900", amount: "2500.00")],
                                          collectionCosts: Money("375.00"))
        let rendered = try renderer.renderEmail(action, now: Shipped.now)
        #expect(rendered.text.contains("€ 375,00"))
        #expect(rendered.text.contains("€ 2.875,00"))
    }

    @Test("a 14-day letter to a business is refused: its cost-free promise is consumer law")
    func businessCosts() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "veertiendagenbrief", segment: "zakelijk", tone: .formeel, debtorType: .business,
                                          invoices: [ActionFactory.invoice("F2026-0900", amount: "2500.00")],
                                          collectionCosts: Money("100.00"))
        #expect(throws: RenderError.self) { try renderer.renderEmail(action, now: Shipped.now) }
        do {
            _ = try renderer.renderEmail(action, now: Shipped.now)
        } catch {
            #expect(error.reason.hasPrefix("rule fourteen-day-letter-for-business:"))
        }
    }

    @Test("the SMS herinnering is GSM-7 in at most three parts", arguments: ["consument", "zakelijk"], [Action.Tone.vriendelijk, .zakelijk])
    func smsHerinnering(_ segment: String, tone: Action.Tone) throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(channel: .sms, stage: "herinnering", segment: segment, tone: tone,
                                          debtorType: segment == "zakelijk" ? .business : .consumer,
                                          invoices: [ActionFactory.invoice("F2026-0815", amount: "1234.56")],
                                          paymentURL: "https://betalen.voorbeeld.nl/p/F2026-0815")
        let rendered = try renderer.renderSMS(action, now: Shipped.now)
        #expect(rendered.template == "sms/herinnering/\(segment).\(tone.rawValue)")
        #expect(rendered.plan.encoding == .gsm7)
        #expect((1...3).contains(rendered.plan.parts))
        #expect(SMSPlanner.isGSM7(rendered.plan.text))
        #expect(rendered.plan.text.contains("1.234,56"))
        #expect(words(rendered.plan.text).isDisjoint(with: ["je", "jij", "jouw"]))
    }

    @Test("an SMS payment link outside sms.payment_domain is refused")
    func smsForeignLink() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(channel: .sms, stage: "herinnering", segment: "consument", tone: .zakelijk, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F1", amount: "10.00")], paymentURL: "https://betalen.evil.example/p/1")
        #expect(throws: RenderError.self) { try renderer.renderSMS(action, now: Shipped.now) }
    }

    @Test("a forced variant renders that variant; without one the choice is stable")
    func variants() throws {
        let renderer = try Shipped.renderer()
        let invoices = [ActionFactory.invoice("F1", amount: "10.00")]
        let forced = ActionFactory.action(stage: "herinnering", segment: "consument", tone: .vriendelijk, debtorType: .consumer,
                                          invoices: invoices, variant: "B")
        let b = try renderer.renderEmail(forced, now: Shipped.now)
        #expect(b.template == "email/herinnering/consument.vriendelijk.B")
        #expect(b.variant == "B")
        var seen = Set<String>()
        for n in 0..<40 {
            let action = ActionFactory.action(stage: "herinnering", segment: "consument", tone: .vriendelijk, debtorType: .consumer,
                                              invoices: invoices, debtorID: "D-\(n)")
            let first = try renderer.renderEmail(action, now: Shipped.now)
            let again = try renderer.renderEmail(action, now: Shipped.now)
            #expect(first == again)
            seen.insert(try #require(first.variant))
        }
        #expect(seen == ["A", "B"])
        let unknown = ActionFactory.action(stage: "herinnering", segment: "consument", tone: .vriendelijk, debtorType: .consumer,
                                           invoices: invoices, variant: "Z")
        #expect(throws: RenderError.self) { try renderer.renderEmail(unknown, now: Shipped.now) }
    }

    @Test("an unknown stage is refused with the files tried")
    func unknownStage() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "bestaat-niet", segment: "consument", tone: .zakelijk, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F1", amount: "10.00")])
        let error = #expect(throws: RenderError.self) { try renderer.renderEmail(action, now: Shipped.now) }
        #expect(error?.reason.contains("email/bestaat-niet/standaard.subject") == true, "\(String(describing: error))")
    }

    @Test("multiple invoices render a table and the sum")
    func multipleInvoices() throws {
        let renderer = try Shipped.renderer()
        let action = ActionFactory.action(stage: "aanmaning", segment: "consument", tone: .zakelijk, debtorType: .consumer,
                                          invoices: [ActionFactory.invoice("F2026-0001", amount: "1000.00"),
                                                     ActionFactory.invoice("F2026-0002", amount: "234.56")])
        let rendered = try renderer.renderEmail(action, now: Shipped.now)
        #expect(rendered.text.contains("F2026-0001") && rendered.text.contains("F2026-0002"))
        #expect(rendered.text.contains("€ 1.234,56"))
    }
}

@Suite("Salutations")
struct SalutationTests {
    @Test("the opening line follows Dutch usage", arguments: [
        ("de heer Jansen", false, nil as String?, "Geachte heer Jansen,"),
        ("de heer P. Jansen", true, nil, "Beste meneer Jansen,"),
        ("mevrouw de Vries", false, nil, "Geachte mevrouw De Vries,"),
        ("mevr. J.A. van der Berg", false, nil, "Geachte mevrouw Van der Berg,"),
        ("Joëlle de Vries", true, nil, "Beste Joëlle de Vries,"),
        ("Ahmed El Amrani", false, nil, "Geachte Ahmed El Amrani,"),
        ("Bouwbedrijf Jansen B.V.", true, "Bouwbedrijf Jansen B.V.", "Geachte heer, mevrouw,"),
        ("", false, nil, "Geachte heer, mevrouw,"),
    ])
    func salutation(_ addressee: String, friendly: Bool, company: String?, expected: String) {
        #expect(TemplateContext.salutation(for: addressee, friendly: friendly, companyName: company) == expected)
    }

    @Test("a consumer may be charged collection costs only after the 14-day letter, and never more than the WIK amount")
    func consumerCostsRule() throws {
        func action(stage: String, costs: String) throws -> Action {
            var document = SampleActions.minimalEmail.setting("stage", .string(stage)).setting("collection_costs", .string(costs))
            document = document.setting("debtor", .object(["id": .string("D1"), "name": .string("Jan"), "type": .string("consumer")]))
            return try ActionDecoder.decode(document.jsonBytes)
        }
        #expect(WIKRule.problem(try action(stage: "ingebrekestelling", costs: "40.00"))?.contains("only be charged after the term") == true)
        #expect(WIKRule.problem(try action(stage: "laatste-aanmaning", costs: "40.00")) == nil)
        #expect(WIKRule.problem(try action(stage: "overdracht", costs: "9999.00"))?.contains("exceed the statutory") == true)
    }
}

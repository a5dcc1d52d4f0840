import Foundation
import Testing
@testable import KoerierCore

/// The compiled template path (issue 11, item 1): the compiled templates render the same bytes as swift-mustache,
/// for every shipped template and a table of realistic actions, and for the Mustache rules one by one; what the
/// compiler does not handle renders with swift-mustache.
@Suite("Compiled templates")
struct CompiledTemplateTests {
    // MARK: - Every shipped template, both ways

    static let today = CalendarDate(year: 2026, month: 11, day: 23)
    static let store = try? TemplateStore(root: TestSupport.templatesRoot)
    static let shippedNames: [String] = {
        let root = TestSupport.templatesRoot
        var names: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".mustache") { names.append(String(path.dropLast(".mustache".count))) }
        }
        return names.sorted()
    }()

    @Test("every shipped template compiles: none falls back to swift-mustache")
    func everyShippedTemplateCompiles() throws {
        let store = try #require(Self.store)
        #expect(Self.shippedNames.count > 200)
        #expect(store.notCompiled.isEmpty, "\(store.notCompiled)")
        #expect(Set(store.compiled.keys) == Set(Self.shippedNames))
    }

    @Test("each shipped template renders the same bytes as swift-mustache for a table of realistic actions", arguments: CompiledTemplateTests.shippedNames)
    func shippedTemplateMatchesMustache(_ name: String) throws {
        let store = try #require(Self.store)
        let compiled = try #require(store.compiled[name], "\(name) did not compile: \(store.notCompiled[name] ?? "")")
        for sample in try ShippedSamples.samples(for: name) {
            let context = TemplateContext.make(action: sample.action, configuration: sample.configuration, today: Self.today,
                                               variant: sample.action.variant)
            let reference = try #require(store.renderWithMustache(name, context.anyValue))
            // As compiled, and as the renderer uses it: with the configuration's company printed in advance.
            let company = TemplateValue.object(TemplateContext.company(sample.configuration.company))
            for (way, template) in [("compiled", compiled), ("company folded", compiled.folding(["company": company]))] {
                let output = template.render(context)
                #expect(output != nil, "\(name), \(sample.label), \(way): the compiled template gave up")
                if let output, output != reference {
                    Issue.record("\(name), \(sample.label), \(way): \(Self.firstDifference(reference, output))")
                }
            }
        }
    }

    @Test("company.* printed in advance: literal outside sections; inside a section only while no section value is in scope")
    func companyFolding() throws {
        let files = ["main.html": "{{company.name}}|{{#yes}}{{company.name}}{{/yes}}|{{#people}}{{company.name}},{{/people}}|{{#data}}{{company.name}}{{/data}}|{{company.nergens}}|{{{company.name}}}"]
        let company: TemplateValue = .object(["name": .text("Voorbeeld & Zn")])
        let context: TemplateValue = .object([
            "company": company, "yes": .flag(true),
            "people": .list([.object(["company": .object(["name": .text("Eigen <B.V.>")])]), .object([:])]),
            "data": .object(["company": .object(["name": .text("Data")])]),
        ])
        let (reference, compiled, store) = try Self.bothWays(files, render: "main.html", context: context)
        let expected = "Voorbeeld &amp; Zn|Voorbeeld &amp; Zn|Eigen &lt;B.V.&gt;,Voorbeeld &amp; Zn,|Data||Voorbeeld & Zn"
        #expect(reference == expected)
        #expect(compiled == expected)
        let folded = try #require(store.compiled["main.html"]).folding(["company": company])
        #expect(folded.render(context) == expected)
        // Outside sections the value is literal text now: another company in the context no longer shows.
        var other = context
        if case .object(var fields) = other { fields["company"] = .object(["name": .text("Ander")]); other = .object(fields) }
        #expect(folded.render(other)?.hasPrefix("Voorbeeld &amp; Zn|Voorbeeld &amp; Zn|") == true)
    }

    /// Where two renderings part, for a readable failure.
    static func firstDifference(_ reference: String, _ output: String) -> String {
        let a = Array(reference.utf8), b = Array(output.utf8)
        let index = Array(zip(a, b)).firstIndex { $0 != $1 } ?? min(a.count, b.count)
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, index - 40)..<min(bytes.count, index + 40)], as: UTF8.self).debugDescription
        }
        return "differs at byte \(index) of \(a.count)/\(b.count):\n mustache: \(around(a))\n compiled: \(around(b))"
    }

    // MARK: - The rules, one by one

    @Test("Mustache rules: the compiled template and swift-mustache both render the expected bytes", arguments: MustacheRuleCase.all)
    func mustacheRule(_ rule: MustacheRuleCase) throws {
        let (reference, compiled, store) = try Self.bothWays(rule.files, render: rule.render, context: rule.context)
        #expect(store.notCompiled.isEmpty, "\(store.notCompiled)")
        #expect(reference == rule.expected, "swift-mustache: \(reference.debugDescription)")
        #expect(compiled == rule.expected, "compiled: \((compiled ?? "nil").debugDescription)")
    }

    /// Loads `files` as a template tree and renders `name` with swift-mustache and compiled.
    static func bothWays(_ files: [String: String], render name: String, context: TemplateValue) throws -> (String, String?, TemplateStore) {
        let root = try TestSupport.makeTemporaryFolder("koerier-compiled")
        defer { TestSupport.remove(root) }
        for (file, text) in files { try TestSupport.write(text, to: file + ".mustache", under: root) }
        let store = try TemplateStore(root: root)
        let reference = try #require(store.renderWithMustache(name, context.anyValue))
        return (reference, store.compiled[name]?.render(context), store)
    }

    // MARK: - What the compiler leaves to swift-mustache

    @Test("a template with a feature the compiler does not handle renders with swift-mustache", arguments: [
        ("transform", "{{uppercased(name)}} {{#reversed(list)}}{{.}}{{/reversed(list)}}"),
        ("set delimiters", "{{=<% %>=}}<% name %> <%={{ }}=%>{{name}}"),
        ("inheritance", "{{<parent}}{{$body}}eigen {{name}}{{/body}}{{/parent}}"),
        ("recursive partial", "{{name}}{{#kids}}{{> self}}{{/kids}}"),
        ("dynamic partial", "{{>*which}}"),
        ("sequence context", "{{#list}}{{index()}}{{/list}}"),
    ])
    func unsupportedFallsBack(feature: String, text: String) throws {
        let files = ["self": text, "parent": "voor {{$body}}standaard{{/body}} na", "other": "andere"]
        let context: TemplateValue = .object([
            "name": .text("Jansen & Zn"), "list": .list([.text("a"), .text("b")]), "which": .text("other"),
            "kids": .list([.object(["name": .text("kind"), "kids": .list([])])]),
        ])
        let (reference, compiled, store) = try Self.bothWays(files, render: "self", context: context)
        #expect(compiled == nil, "\(feature) should not compile")
        #expect(store.notCompiled["self"] != nil)
        #expect(!reference.isEmpty)
    }

    @Test("the renderer falls back to swift-mustache for an unsupported feature and for printing a list, with the same bytes")
    func rendererFallsBack() throws {
        let root = try TestSupport.makeTemporaryFolder("koerier-fallback")
        defer { TestSupport.remove(root) }
        let base = "email/herinnering/standaard.zakelijk"
        try TestSupport.write("Herinnering {{uppercased(invoice.number)}}", to: base + ".subject.mustache", under: root)
        try TestSupport.write("{{salutation}}\n{{#invoices}}\n- {{number}}: {{open}}\n{{/invoices}}\nLabels: {{data.labels}}\n", to: base + ".text.mustache", under: root)
        try TestSupport.write("<p>{{salutation}} {{lowercased(debtor.name)}}</p>\n", to: base + ".html.mustache", under: root)
        try TestSupport.write("{{salutation}} {{#data.labels}}{{.}} {{/data.labels}}{{> partials/x}}", to: "sms/herinnering/standaard.zakelijk.mustache", under: root)
        try TestSupport.write("{{{data.labels}}}", to: "partials/x.mustache", under: root)
        let store = try TemplateStore(root: root)
        #expect(Set(store.notCompiled.keys) == [base + ".subject", base + ".html"])
        let configuration = try TestSupport.demoConfiguration()
        let renderer = Renderer(store: store, configuration: configuration)
        var action = ActionFactory.action(stage: "herinnering", segment: "standaard", tone: .zakelijk, debtorType: .business,
                                          invoices: [ActionFactory.invoice("f-1", amount: "10.00"), ActionFactory.invoice("f-2", amount: "20.00")])
        action.data = ["labels": .array([.string("vip"), .string("<b>")])]
        let now = GoldenTests.moment
        let context = TemplateContext.make(action: action, configuration: configuration, today: renderer.localDay(now), variant: nil)
        // The text part prints a list: compiled gives up at render time.
        #expect(store.compiled[base + ".text"] != nil)
        #expect(store.compiled[base + ".text"]?.render(context) == nil)
        let email = try renderer.renderEmail(action, now: now)
        let reference = try ["subject", "text", "html"].map { try #require(store.renderWithMustache(base + "." + $0, context.anyValue)) }
        #expect(email.subject == "Herinnering F-1")
        #expect(email.subject == reference[0])
        #expect(email.text == Renderer.tidy(reference[1]))
        #expect(email.text.contains("Labels: [\"vip\", \"<b>\"]"))
        #expect(email.html == reference[2])
        #expect(email.html.contains("de vries installatie b.v."))

        action.channel = .sms
        let sms = try renderer.renderSMS(action, now: now)
        #expect(sms.plan.text.hasSuffix("vip <b> [\"vip\", \"<b>\"]"), "\(sms.plan.text)")
    }
}

/// One rule of Mustache as swift-mustache 2.1.1 applies it: files (names without `.mustache`; `*.html` escape,
/// the rest are text), the template to render, the context, and the bytes both renderers must give.
struct MustacheRuleCase: Sendable, CustomTestStringConvertible {
    let label: String
    let files: [String: String]
    let render: String
    let context: TemplateValue
    let expected: String
    var testDescription: String { label }

    init(_ label: String, _ files: [String: String], render: String = "main", _ context: TemplateValue = .object([:]), _ expected: String) {
        self.label = label
        self.files = files
        self.render = render
        self.context = context
        self.expected = expected
    }

    static let people: TemplateValue = .object([
        "title": .text("Overzicht"),
        "people": .list([
            .object(["name": .text("An"), "city": .object(["name": .text("Delft")])]),
            .object(["name": .text("Bo"), "city": .object([:])]),
        ]),
        "city": .object(["name": .text("Utrecht")]),
        "tags": .list([.text("rood"), .text("groen")]),
        "none": .list([]),
        "empty": .text(""),
        "yes": .flag(true),
        "no": .flag(false),
        "a": .object(["b": .object(["c": .text("diep")])]),
        "special": .text("Bakker & Zn <B.V.> \"x\" 'y'"),
        "lines": .text("een\ntwee"),
    ])

    static let all: [MustacheRuleCase] = [
        // Standalone lines.
        .init("a standalone section tag takes its line", ["main": "a\n{{#yes}}\nX\n{{/yes}}\nb\n"], people, "a\nX\nb\n"),
        .init("a standalone tag with indentation and trailing blanks takes its line", ["main": "a\n  {{#yes}}  \nX\n\t{{/yes}}\t\nb\n"], people, "a\nX\nb\n"),
        .init("an inline section keeps the text around it", ["main": "a {{#yes}}X{{/yes}} b\n  {{#no}}Y{{/no}} c\n"], people, "a X b\n   c\n"),
        .init("standalone with CRLF line ends", ["main": "a\r\n{{#yes}}\r\nX\r\n{{/yes}}\r\nb\r\n"], people, "a\r\nX\r\nb\r\n"),
        .init("a standalone tag on the last line without a line end", ["main": "a\n{{#yes}}\nX\n{{/yes}}"], people, "a\nX\n"),
        .init("after a standalone opening the closing line counts as new", ["main": "{{#yes}}\nX{{/yes}} {{! c }}\nY\n"], people, "XY\n"),
        // Comments and pragmas.
        .init("a standalone comment takes its line; an inline one leaves both sides", ["main": "a\n  {{! weg }}\nb {{! weg }} c\n"], people, "a\nb  c\n"),
        .init("a comment swallows the indentation before it", ["main": "  {{! c }} x\n"], people, "   x\n"),
        .init("a comment may span lines and hold braces", ["main": "a{{! een\n{ twee }\n}}b\n"], people, "ab\n"),
        .init("a pragma switches escaping for the rest of its pass", ["main.html": "{{special}}\n{{#yes}}\n{{%CONTENT_TYPE: TEXT}}\n{{special}}\n{{/yes}}\n{{special}}\n"], render: "main.html", people,
              "Bakker &amp; Zn &lt;B.V.&gt; &quot;x&quot; &#39;y&#39;\nBakker & Zn <B.V.> \"x\" 'y'\nBakker &amp; Zn &lt;B.V.&gt; &quot;x&quot; &#39;y&#39;\n"),
        // Escaping.
        .init("HTML templates escape & < > \" ' in {{name}}, not in {{{name}}} or {{&name}}", ["main.html": "{{special}}|{{{special}}}|{{& special}}"], render: "main.html", people,
              "Bakker &amp; Zn &lt;B.V.&gt; &quot;x&quot; &#39;y&#39;|Bakker & Zn <B.V.> \"x\" 'y'|Bakker & Zn <B.V.> \"x\" 'y'"),
        .init("text templates escape nothing", ["main": "{{special}}|{{{special}}}"], people, "Bakker & Zn <B.V.> \"x\" 'y'|Bakker & Zn <B.V.> \"x\" 'y'"),
        .init("escaping goes per Character: a combining mark keeps & as it is, other non-ASCII text does not", ["main.html": "{{v}}|{{w}}"], render: "main.html",
              .object(["v": .text("a&\u{301}b<"), "w": .text("é&€<ü")]), "a&\u{301}b&lt;|é&amp;€&lt;ü"),
        .init("a partial does not inherit the content type: an HTML partial escapes inside a text template", ["main": "{{special}} {{> p.html}}", "p.html": "{{special}}"], people,
              "Bakker & Zn <B.V.> \"x\" 'y' Bakker &amp; Zn &lt;B.V.&gt; &quot;x&quot; &#39;y&#39;"),
        // Sections and truthiness.
        .init("sections: true, false, absent, empty text (true), empty list, list", ["main": "[{{#yes}}j{{/yes}}][{{#no}}n{{/no}}][{{#nergens}}x{{/nergens}}][{{#empty}}e{{/empty}}][{{#none}}l{{/none}}][{{#tags}}t{{/tags}}]"], people,
              "[j][][][e][][tt]"),
        .init("inverted sections: absent, false, empty list show; empty text, true, a list, an object do not", ["main": "[{{^nergens}}a{{/nergens}}][{{^no}}f{{/no}}][{{^none}}l{{/none}}][{{^empty}}e{{/empty}}][{{^yes}}t{{/yes}}][{{^tags}}L{{/tags}}][{{^city}}o{{/city}}]"], people,
              "[a][f][l][][][][]"),
        .init("a flag prints true or false", ["main": "{{yes}}/{{no}}"], people, "true/false"),
        .init("an absent name prints nothing", ["main": "[{{nergens}}][{{a.x.y}}][{{{nergens}}}]"], people, "[][][]"),
        // Names.
        .init("dotted names", ["main": "{{a.b.c}} {{#a}}{{b.c}}{{#b}}{{c}}{{/b}}{{/a}}"], people, "diep diepdiep"),
        .init("{{.}} is each item of a list of strings", ["main": "{{#tags}}<{{.}}>{{/tags}}"], people, "<rood><groen>"),
        .init("in a list of objects a name not in the item comes from the parent", ["main": "{{#people}}{{name}} ({{title}}); {{/people}}"], people, "An (Overzicht); Bo (Overzicht); "),
        .init("a dotted name is looked up by its first part only: found in the item, the rest is not searched outside", ["main": "{{#people}}{{name}}: {{city.name}}; {{/people}}"], people, "An: Delft; Bo: ; "),
        .init("a name that starts with a dot is looked up only in the innermost value", ["main": "{{#people}}[{{.title}}|{{.name}}]{{/people}}"], people, "[|An][|Bo]"),
        .init("a text section makes the text the innermost value", ["main": "{{#empty}}[{{.}}]{{title}}{{/empty}}{{#lines}}{{.}}{{/lines}}"], people, "[]Overzichteen\ntwee"),
        // Partials.
        .init("a partial renders inline with the same context", ["main": "a {{> p}} b", "p": "<{{title}}>"], people, "a <Overzicht> b"),
        .init("a missing partial renders nothing", ["main": "a {{> nergens}} b\n{{> nergens}}\nc"], people, "a  b\nc"),
        .init("a standalone partial indents each of its lines", ["main": "a\n  {{> p}}\nb\n", "p": "x\n{{title}}\n{{#tags}}\n- {{.}}\n{{/tags}}\n"], people, "a\n  x\n  Overzicht\n  - rood\n- groen\nb\n"),
        .init("indentation goes between pieces: a multi-line value is not indented inside", ["main": "a\n  {{> p}}\nb\n", "p": "{{lines}}\nz\n"], people, "a\n  een\ntwee\n  z\nb\n"),
        .init("nested standalone partials add their indentation", ["main": "  {{> p}}\n", "p": "p1\n  {{> q}}\np2\n", "q": "q1\nq2\n"], people, "  p1\n    q1\n    q2\n  p2\n"),
        .init("an inline partial gets no indentation of its own", ["main": "  x {{> p}}\n", "p": "een\ntwee\n"], people, "  x een\ntwee\n\n"),
    ]
}

/// Realistic actions for every shipped template: consumer and business, one, three and seven invoices, partial
/// payments, collection costs (with and without btw), interest, a contractual cost basis, instalment data, with and
/// without a payment link, contact, customer number and sender, and names that need escaping in HTML.
enum ShippedSamples {
    struct Sample {
        let label: String
        let action: Action
        let configuration: Configuration
    }

    static func samples(for name: String) throws -> [Sample] {
        let parts = name.split(separator: "/").map(String.init)
        let configuration = try TestSupport.demoConfiguration()
        var withVAT = configuration
        withVAT.letters.collectionCostsIncludeVAT = true
        // Partials render on their own too: give them an aanmaning by email.
        let channel: Action.Channel = parts[0] == "sms" ? .sms : .email
        let stage = parts.count == 3 ? parts[1] : "aanmaning"
        var fields = parts.count == 3 ? parts[2].split(separator: ".").map(String.init) : ["standaard", "zakelijk"]
        if parts[0] == "email" { fields.removeLast() }
        let segment = fields[0]
        let tone = fields.count > 1 ? Action.Tone(rawValue: fields[1]) ?? .zakelijk : .zakelijk
        let variant = fields.count > 2 ? fields[2] : nil
        let today = CompiledTemplateTests.today
        let shift = stage == "vooraf" ? 60 : 0
        func invoice(_ number: String, _ amount: String, open: String? = nil, age: Int) -> Action.Invoice {
            var invoice = ActionFactory.invoice(number, amount: amount, open: open, date: today.adding(days: shift - age - 30), due: today.adding(days: shift - age))
            if stage == "bedankt" { invoice.open = .zero }
            return invoice
        }
        func action(_ type: Action.Debtor.Kind, _ invoices: [Action.Invoice], url: String? = nil) -> Action {
            var action = ActionFactory.action(channel: channel, stage: stage, segment: segment, tone: tone, debtorType: type,
                                              invoices: invoices, variant: variant, paymentURL: url)
            action.data = instalmentData(stage: stage, today: today)
            return action
        }

        var samples: [Sample] = []
        // Consumer, one invoice, no link, no contact, a customer number.
        samples.append(Sample(label: "consumer, one invoice", action: action(.consumer, [invoice("F2026-0815", "1500.00", age: 20)]), configuration: configuration))
        // Business, three invoices, one partly paid, a link, a contact, a sender with a title, costs.
        var business = action(.business, [invoice("F1", "1234.56", age: 40), invoice("F2", "500.00", open: "200.00", age: 25),
                                          invoice("F3", "99.95", age: 10)], url: "https://betalen.voorbeeld.nl/p/Xk29?a=1&b='2'")
        business.debtor.contact = "de heer mr. P. Jansen"
        business.sender = Action.Sender(name: "Sanne Bakker", email: try? EmailAddress.parse("sanne@voorbeeld.nl").get(), phone: nil, title: "Accountmanager")
        business.collectionCosts = Money(cents: 18_300)
        business.data["kostenbeding"] = .string("artikel 7 van onze algemene voorwaarden")
        samples.append(Sample(label: "business, three invoices, partial payment, link, costs", action: business, configuration: configuration))
        samples.append(Sample(label: "business, three invoices, costs with btw", action: business, configuration: withVAT))
        // Consumer, seven invoices, interest, no customer number, a payment reference, names to escape.
        var many = action(.consumer, (1...7).map { invoice("F2026-\($0)", "\($0)00.10", open: $0 == 3 ? "50.00" : nil, age: 5 * $0) })
        many.debtor.customerNumber = nil
        many.debtor.name = "Bakker & Zn <Vof>"
        many.recipient.name = "Joëlle \"Jo\" d'Artagnan"
        many.payment = Action.Payment(url: nil, reference: "REF-<1>&2", iban: "NL91ABNA0417164300")
        many.data["rente"] = .string("12.34")
        many.collectionCosts = Money(cents: 4_000)
        samples.append(Sample(label: "consumer, seven invoices, interest, reference", action: many, configuration: configuration))
        samples.append(Sample(label: "consumer, seven invoices, costs with btw", action: many, configuration: withVAT))
        // Business without contact, customer number, sender phone; a link; one invoice partly paid.
        var single = action(.business, [invoice("F9", "2500.00", open: "2499.99", age: 60)], url: "https://betalen.voorbeeld.nl/p/1")
        single.debtor.customerNumber = nil
        single.sender = Action.Sender(name: "Team Debiteuren", email: nil, phone: try? PhoneNumber.parse("020-1234567"), title: nil)
        samples.append(Sample(label: "business, one invoice partly paid, no customer number", action: single, configuration: configuration))
        // The long realistic sample `check` uses.
        let lint = LintSamples.action(channel: channel, stage: stage, segment: segment, tone: tone, debtorType: .business, variant: variant, today: today)
        samples.append(Sample(label: "lint sample, business", action: lint, configuration: configuration))
        var consumerLint = LintSamples.action(channel: channel, stage: stage, segment: segment, tone: tone, debtorType: .consumer, variant: variant, today: today)
        consumerLint.payment?.url = nil
        samples.append(Sample(label: "lint sample, consumer, no link", action: consumerLint, configuration: configuration))
        // Instalment variants: a smaller last instalment, an overdue numbered instalment.
        if stage == "betalingsregeling" || stage == "termijnherinnering" {
            var other = action(.consumer, [invoice("F7", "600.00", age: 30)])
            other.data = stage == "betalingsregeling"
                ? ["aantal_termijnen": .number("3"), "termijnbedrag": .string("250.00"), "laatste_termijnbedrag": .string("100.00"),
                   "eerste_termijn": .string(today.adding(days: 7).description)]
                : ["termijnbedrag": .string("200.00"), "termijn_datum": .string(today.adding(days: -5).description),
                   "termijn_nummer": .number("2"), "aantal_termijnen": .number("3")]
            samples.append(Sample(label: "instalments, other terms", action: other, configuration: configuration))
        }
        return samples
    }

    static func instalmentData(stage: String, today: CalendarDate) -> [String: JSONValue] {
        switch stage {
        case "betalingsregeling":
            return ["aantal_termijnen": .number("4"), "termijnbedrag": .string("308.64"), "eerste_termijn": .string(today.adding(days: 8).description)]
        case "termijnherinnering":
            return ["termijnbedrag": .string("308.64"), "termijn_datum": .string(today.adding(days: 3).description)]
        default:
            return [:]
        }
    }
}

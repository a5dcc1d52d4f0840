import Foundation
import Testing
@testable import KoerierCore

/// A clean, complete email template body in the u-form, for trees with one defect elsewhere.
private let cleanText = """
    {{salutation}}

    Wij hebben uw betaling van {{total_open}} nog niet ontvangen.
    Wilt u het bedrag uiterlijk {{pay_by}} overmaken?

    {{company.name}}
    """
private let cleanSubject = "Herinnering: {{invoice_count}} factuur of facturen"
private let cleanHTML = "<p>{{salutation}}</p>\n<p>Wij hebben uw betaling van {{total_open}} nog niet ontvangen.</p>"

/// A WIK-compliant consumer 14-day letter.
private let compliantWIK = """
    {{salutation}}

    Het openstaande bedrag is {{total_open}}.
    Betaal dit bedrag binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd.
    Betaalt u niet, dan brengen wij {{collection_costs}} aan incassokosten in rekening.
    """

/// A consumer 14-day letter email whose text is `text` and whose html is compliant.
private func wikEmail(_ base: String, text: String) -> [String: String] {
    email(base, text: text, html: "<p>" + compliantWIK.replacingOccurrences(of: "\n", with: "<br>\n") + "</p>")
}

/// Writes the files (name without `.mustache` -> source) into a fresh tree, lints it, and removes the tree.
private func lint(_ files: [String: String], configure: (inout Configuration) -> Void = { _ in }) throws -> (root: String, findings: [TemplateLinter.Finding]) {
    let root = try TestSupport.makeTemporaryFolder("koerier-lint")
    defer { TestSupport.remove(root) }
    for (name, source) in files { try TestSupport.write(source, to: name + ".mustache", under: root) }
    var configuration = try TestSupport.demoConfiguration()
    configure(&configuration)
    let store = try TemplateStore(root: root)
    let findings = TemplateLinter(store: store, configuration: configuration).lint(now: Date(timeIntervalSince1970: 1_795_336_200))
    return (root, findings)
}

/// The three parts of an email template, with `text` replaced.
private func email(_ base: String, text: String = cleanText, subject: String = cleanSubject, html: String? = cleanHTML) -> [String: String] {
    var files = [base + ".subject": subject, base + ".text": text]
    if let html { files[base + ".html"] = html }
    return files
}

@Suite("Template linter")
struct TemplateLinterTests {
    @Test("an unknown variable is reported with its file and line")
    func unknownVariable() throws {
        let text = "{{salutation}}\n\nU betaalt {{totaal}} vóór {{pay_by}}.\n{{#facturen}}x{{/facturen}}\n{{data.dossier}} {{{invoice_table_text}}}\n"
        let base = "email/herinnering/consument.vriendelijk"
        let (root, findings) = try lint(email(base, text: text))
        let mine = findings.filter { $0.file == "\(root)/\(base).text.mustache" && $0.message.contains("unknown variable") }
        #expect(mine.map(\.line) == [3, 4, 4])
        #expect(mine.first?.message.contains("\"totaal\"") == true)
        #expect(mine.allSatisfy { $0.severity == .error })
        #expect(mine.contains { $0.message.contains("\"facturen\"") })
        #expect(!mine.contains { $0.message.contains("data.dossier") || $0.message.contains("invoice_table_text") })
    }

    @Test("mixing u and je is reported at the first je")
    func uAndJe() throws {
        let text = "{{salutation}}\n\nWij hebben uw betaling nog niet ontvangen.\nKun je het bedrag van {{total_open}} overmaken?\n"
        let base = "email/herinnering/consument.vriendelijk"
        let (root, findings) = try lint(email(base, text: text))
        let mine = findings.filter { $0.file == "\(root)/\(base).text.mustache" && $0.message.contains("\"je\"") }
        #expect(mine.count == 1)
        #expect(mine.first?.line == 4)
        #expect(mine.first?.message.contains("mixes") == true)
    }

    @Test("je without u is reported too; u alone and je inside words are fine")
    func jeOnly() throws {
        let base = "email/herinnering/consument.vriendelijk"
        let (root, findings) = try lint(email(base, text: "Hoi,\n\nBetaal jij {{total_open}}? Jouw factuur staat open.\n"))
        let mine = findings.filter { $0.file == "\(root)/\(base).text.mustache" }
        #expect(mine.contains { $0.line == 3 && $0.message.contains("uses \"jij\"") })

        let (cleanRoot, cleanFindings) = try lint(email(base, text: "Beste klant,\n\nWij vragen u vriendelijk het bedrag te betalen. Tuinmeubelen jeugdig.\n"))
        #expect(cleanFindings.filter { $0.file == "\(cleanRoot)/\(base).text.mustache" }.isEmpty,
                "\(cleanFindings.filter { $0.file.hasPrefix(cleanRoot + "/email/herinnering") })")
    }

    @Test("a legal phrase in a herinnering is reported; in an ingebrekestelling it is allowed")
    func restrictedPhrase() throws {
        let text = "{{salutation}}\nBetaalt u niet, dan schakelen wij een deurwaarder in.\nU betaalt {{total_open}}.\n"
        let reminder = "email/herinnering/consument.vriendelijk"
        let notice = "email/ingebrekestelling/consument.formeel"
        let (root, findings) = try lint(email(reminder, text: text).merging(email(notice, text: text)) { a, _ in a })
        let inReminder = findings.filter { $0.file == "\(root)/\(reminder).text.mustache" && $0.message.contains("deurwaarder") }
        #expect(inReminder.count == 1)
        #expect(inReminder.first?.line == 2)
        #expect(inReminder.first?.message.contains("not allowed in stage herinnering") == true)
        #expect(!findings.contains { $0.file == "\(root)/\(notice).text.mustache" && $0.message.contains("deurwaarder") })
    }

    @Test("a consumer 14-day letter that counts from the date of the letter is reported")
    func wikWrongStart() throws {
        let text = compliantWIK + "\nDe termijn van veertien dagen\ngaat in op de dag na dagtekening.\n"
        let base = "email/veertiendagenbrief/consument.formeel"
        let (root, findings) = try lint(wikEmail(base, text: text))
        let mine = findings.filter { $0.file == "\(root)/\(base).text.mustache" && $0.message.contains("na dagtekening") }
        #expect(mine.count == 1)
        #expect(mine.first?.line == 7)
        #expect(mine.first?.severity == .error)
    }

    @Test("a compliant consumer 14-day letter has no findings of its own")
    func wikCompliant() throws {
        let base = "email/veertiendagenbrief/consument.formeel"
        let (root, findings) = try lint(wikEmail(base, text: compliantWIK))
        #expect(findings.filter { $0.file.hasPrefix("\(root)/\(base).") }.isEmpty,
                "\(findings.filter { $0.file.hasPrefix("\(root)/\(base).") })")
    }

    @Test("a consumer 14-day letter without the statutory term wording is reported")
    func wikMissingTerm() throws {
        let text = "{{salutation}}\n\nBetaal {{total_open}} binnen twee weken.\nAnders kost het u {{collection_costs}}.\n"
        let base = "email/veertiendagenbrief/consument.formeel"
        let (root, findings) = try lint(wikEmail(base, text: text))
        let mine = findings.filter { $0.file == "\(root)/\(base).text.mustache" && $0.message.contains("binnen veertien dagen vanaf de dag nadat") }
        #expect(mine.count == 1)
        #expect(mine.first?.line == 1)
    }

    @Test("a consumer 14-day letter that does not state the collection costs is reported")
    func wikMissingCosts() throws {
        let text = compliantWIK.replacingOccurrences(of: "{{collection_costs}}", with: "de wettelijke")
        let base = "email/veertiendagenbrief/consument.formeel"
        let (root, findings) = try lint(wikEmail(base, text: text))
        #expect(findings.contains { $0.file == "\(root)/\(base).text.mustache" && $0.message.contains("{{collection_costs}}") })
    }

    @Test("the WIK wording is not demanded from a business 14-day letter")
    func wikBusiness() throws {
        let base = "email/veertiendagenbrief/zakelijk.formeel"
        let (root, findings) = try lint(email(base, text: "{{salutation}}\n\nBetaal u {{total_open}} binnen 14 dagen na dagtekening.\n"))
        #expect(!findings.contains { $0.file.hasPrefix("\(root)/\(base).") && ($0.message.contains("dagtekening") || $0.message.contains("veertien")) })
    }

    @Test("an email template without its html part is reported on its other parts")
    func missingHTML() throws {
        let base = "email/herinnering/consument.vriendelijk"
        let (root, findings) = try lint(email(base, html: nil))
        let missing = findings.filter { $0.message.contains("\(base).html.mustache is missing") }
        #expect(Set(missing.map(\.file)) == ["\(root)/\(base).subject.mustache", "\(root)/\(base).text.mustache"])
        #expect(missing.allSatisfy { $0.severity == .error && $0.line == 1 })
    }

    @Test("an SMS template longer than sms.max_parts allows is reported")
    func smsTooLong() throws {
        let text = "{{salutation}} Er staat nog {{total_open}} open voor factuur {{invoice.number}}. "
            + "Wij verzoeken u het bedrag uiterlijk {{pay_by}} over te maken op {{payment.iban}} onder vermelding van {{payment.reference}}. "
            + "Vragen? Bel {{company.phone}}."
        let name = "sms/herinnering/consument.vriendelijk"
        let (root, findings) = try lint([name: text]) { $0.sms.maximumParts = 1 }
        let mine = findings.filter { $0.file == "\(root)/\(name).mustache" && $0.message.contains("sms.max_parts") }
        #expect(mine.count == 1)
        #expect(mine.first?.message.contains("at most 1 are allowed") == true)
        #expect(mine.first?.severity == .error)

        let (roomyRoot, roomy) = try lint([name: text]) { $0.sms.maximumParts = 3 }
        #expect(!roomy.contains { $0.file == "\(roomyRoot)/\(name).mustache" && $0.message.contains("sms.max_parts") })
    }

    @Test("a stage, segment and tone that would be rejected is an error; the fallback tone serves the others")
    func completeness() throws {
        let (root, findings) = try lint(email("email/herinnering/standaard.zakelijk"))
        #expect(!findings.contains { $0.file.hasPrefix("email/herinnering/") }, "herinnering is served by standaard.zakelijk")
        let missing = findings.first { $0.file == "email/aanmaning/consument.dringend" }
        #expect(missing?.severity == .error)
        #expect(missing?.message.contains("would be rejected: no email template for stage \"aanmaning\"") == true)
        _ = root
        // Errors come first.
        let firstWarning = findings.firstIndex { $0.severity == .warning } ?? findings.endIndex
        #expect(!findings[firstWarning...].contains { $0.severity == .error })
    }

    @Test("the shipped templates pass the linter with the demo configuration")
    func shippedTemplates() throws {
        let configuration = try TestSupport.demoConfiguration()
        let store = try TestSupport.shippedStore()
        #expect(store.sources.count > 100)
        let findings = TemplateLinter(store: store, configuration: configuration).lint(now: Date(timeIntervalSince1970: 1_795_336_200))
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.prefix(10).map(\.description).joined(separator: "\n"))")
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// `template_sha256` names the exact wording that went out, partials included.
@Suite("Template digest")
struct TemplateDigestTests {
    func store(footer: String) throws -> (TemplateStore, String) {
        let root = try TestSupport.makeTemporaryFolder("digest")
        try TestSupport.write("Beste klant,\n{{> partials/groet}}\n", to: "sms/herinnering/standaard.mustache", under: root)
        try TestSupport.write("{{> partials/naam}}\n", to: "partials/groet.mustache", under: root)
        try TestSupport.write(footer, to: "partials/naam.mustache", under: root)
        return (try TemplateStore(root: root), root)
    }

    @Test("a change in a partial, even one included by another partial, changes the digest")
    func partialsCount() throws {
        let (first, a) = try store(footer: "Met vriendelijke groet, Team Incasso")
        let (second, b) = try store(footer: "Met vriendelijke groet, Team Debiteuren")
        defer { TestSupport.remove(a); TestSupport.remove(b) }
        #expect(first.partials(of: ["sms/herinnering/standaard"]) == ["partials/groet", "partials/naam"])
        #expect(first.sha256(of: ["sms/herinnering/standaard"]) != second.sha256(of: ["sms/herinnering/standaard"]))
        let (again, c) = try store(footer: "Met vriendelijke groet, Team Incasso")
        defer { TestSupport.remove(c) }
        #expect(first.sha256(of: ["sms/herinnering/standaard"]) == again.sha256(of: ["sms/herinnering/standaard"]))
    }

    @Test("partial references are read from {{> name}} tags with or without spaces")
    func references() {
        #expect(TemplateStore.partialReferences(in: "a {{> partials/x}} b {{>partials/y }} {{name}}") == ["partials/x", "partials/y"])
    }
}

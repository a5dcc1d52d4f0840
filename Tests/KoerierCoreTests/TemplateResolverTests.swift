import Testing
@testable import KoerierCore

/// The file names (without `.mustache`) of complete email templates with these bases.
private func emailFiles(_ bases: [String], stage: String = "herinnering") -> Set<String> {
    var names = Set<String>()
    for base in bases {
        for part in [".subject", ".text", ".html"] { names.insert("email/\(stage)/\(base)\(part)") }
    }
    return names
}

private func resolveEmail(_ available: Set<String>, segment: String = "consument", tone: String = "vriendelijk",
                          debtor: String = "D-1", variant: String? = nil) -> Result<TemplateResolver.Resolution, TemplateResolver.Failure> {
    TemplateResolver.resolve(channel: .email, stage: "herinnering", segment: segment, tone: tone,
                             debtorID: debtor, forcedVariant: variant, available: available)
}

@Suite("Template resolution")
struct TemplateResolverTests {
    @Test("the most specific complete template wins", arguments: [
        (["consument.vriendelijk", "standaard.vriendelijk", "consument", "standaard"], "consument.vriendelijk"),
        (["standaard.vriendelijk", "consument", "standaard"], "standaard.vriendelijk"),
        (["consument", "standaard"], "consument"),
        (["standaard"], "standaard"),
        (["consument.zakelijk", "zakelijk.vriendelijk", "standaard"], "standaard"),
        (["standaard.vriendelijk", "consument"], "standaard.vriendelijk"),
    ])
    func fallbackOrder(_ bases: [String], expected: String) throws {
        let resolution = try resolveEmail(emailFiles(bases)).get()
        #expect(resolution.base == "email/herinnering/\(expected)")
        #expect(resolution.variant == nil)
        #expect(resolution.name == "email/herinnering/\(expected)")
    }

    @Test("an incomplete email template (no html) is skipped")
    func incompleteSkipped() throws {
        var available = emailFiles(["standaard"])
        available.insert("email/herinnering/consument.vriendelijk.subject")
        available.insert("email/herinnering/consument.vriendelijk.text")
        #expect(try resolveEmail(available).get().base == "email/herinnering/standaard")
    }

    @Test("templates of another stage or channel are not used")
    func otherStage() {
        var available = emailFiles(["consument.vriendelijk"], stage: "aanmaning")
        available.insert("sms/herinnering/consument.vriendelijk")
        guard case .failure = resolveEmail(available) else {
            Issue.record("resolved from another stage or channel")
            return
        }
    }

    @Test("no template at all fails, listing every file tried in order")
    func failure() {
        guard case .failure(let failure) = resolveEmail(emailFiles(["standaard"], stage: "aanmaning")) else {
            Issue.record("resolved without any template")
            return
        }
        #expect(failure.reason.contains("stage \"herinnering\", segment \"consument\", tone \"vriendelijk\""))
        #expect(failure.reason.contains("tried email/herinnering/consument.vriendelijk.subject, email/herinnering/standaard.vriendelijk.subject, email/herinnering/consument.subject, email/herinnering/standaard.subject"))
    }

    @Test("candidates are de-duplicated when the segment is standaard")
    func candidates() {
        #expect(TemplateResolver.candidates(channel: .sms, stage: "aanmaning", segment: "standaard", tone: "dringend")
                == ["sms/aanmaning/standaard.dringend", "sms/aanmaning/standaard"])
        #expect(TemplateResolver.candidates(channel: .email, stage: "x", segment: "zakelijk", tone: "formeel")
                == ["email/x/zakelijk.formeel", "email/x/standaard.formeel", "email/x/zakelijk", "email/x/standaard"])
    }

    @Test("SMS templates are single files")
    func sms() throws {
        let available: Set<String> = ["sms/herinnering/standaard.vriendelijk", "sms/herinnering/standaard"]
        let resolution = try TemplateResolver.resolve(channel: .sms, stage: "herinnering", segment: "consument", tone: "vriendelijk",
                                                      debtorID: "D-1", forcedVariant: nil, available: available).get()
        #expect(resolution.name == "sms/herinnering/standaard.vriendelijk")
    }

    @Test("the variant is the same every time for one debtor and stage")
    func deterministicVariant() throws {
        let available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.B", "standaard"])
        for debtor in ["D-1", "D-2", "D-10042", "K-77"] {
            let first = try resolveEmail(available, debtor: debtor).get()
            #expect(first.base == "email/herinnering/consument.vriendelijk")
            let variant = try #require(first.variant)
            #expect(["A", "B"].contains(variant))
            #expect(first.name == "email/herinnering/consument.vriendelijk.\(variant)")
            for _ in 0..<3 { #expect(try resolveEmail(available, debtor: debtor).get() == first) }
        }
    }

    @Test("variants spread over A and B across many debtors")
    func spread() throws {
        let available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.B"])
        var counts: [String: Int] = [:]
        for n in 0..<400 {
            let variant = try #require(try resolveEmail(available, debtor: "D-\(n)").get().variant)
            counts[variant, default: 0] += 1
        }
        #expect(Set(counts.keys) == ["A", "B"])
        #expect(counts["A", default: 0] >= 120 && counts["B", default: 0] >= 120, "\(counts)")
    }

    @Test("three variants are all used")
    func threeVariants() throws {
        let available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.B", "consument.vriendelijk.C"])
        var seen = Set<String>()
        for n in 0..<300 { seen.insert(try #require(try resolveEmail(available, debtor: "D-\(n)").get().variant)) }
        #expect(seen == ["A", "B", "C"])
    }

    @Test("only complete variants named with capitals or digits count")
    func variantNames() {
        var available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.b", "consument.vriendelijk.2"])
        available.insert("email/herinnering/consument.vriendelijk.C.subject")
        available.insert("email/herinnering/consument.vriendelijk.C.text")
        #expect(TemplateResolver.variantsOf("email/herinnering/consument.vriendelijk", parts: TemplateResolver.parts(.email), available: available) == ["2", "A"])
    }

    @Test("a forced variant is used as asked")
    func forcedVariant() throws {
        let available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.B"])
        for debtor in ["D-1", "D-2", "D-3", "D-4"] {
            #expect(try resolveEmail(available, debtor: debtor, variant: "B").get().name == "email/herinnering/consument.vriendelijk.B")
            #expect(try resolveEmail(available, debtor: debtor, variant: "A").get().variant == "A")
        }
    }

    @Test("a forced variant that does not exist fails and lists the variants")
    func unknownForcedVariant() {
        let available = emailFiles(["consument.vriendelijk.A", "consument.vriendelijk.B", "standaard"])
        guard case .failure(let failure) = resolveEmail(available, variant: "C") else {
            Issue.record("an unknown variant was accepted")
            return
        }
        #expect(failure.reason.contains("variant \"C\" does not exist for email/herinnering/consument.vriendelijk"))
        #expect(failure.reason.contains("A, B"))
        guard case .failure(let none) = resolveEmail(emailFiles(["consument.vriendelijk"]), variant: "A") else {
            Issue.record("a variant was accepted for a template without variants")
            return
        }
        #expect(none.reason.contains("variants: none"))
    }

    @Test("FNV-1a matches the published 64-bit test vectors", arguments: [
        ("", UInt64(0xcbf2_9ce4_8422_2325)), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func fnv(_ text: String, hash: UInt64) {
        #expect(TemplateResolver.fnv1a(text) == hash)
    }
}

import Testing
import KoerierCore

/// One text with its expected plan, counted by hand (see the comment on each case).
struct SMSPlanCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let transliterate: Bool
    let encoding: SMSEncoding
    let units: Int
    let characters: Int
    let parts: Int
    var testDescription: String { name }
}

/// Ten characters, all in the GSM-7 basic table: "B e t a a l ␠ n u ␠".
private let tenGSM = "Betaal nu "
/// Seven characters, one of them (ï) outside GSM-7: "G e ï n d ! ␠" (each one UTF-16 unit).
private let sevenUCS = "Geïnd! "

@Suite("SMS encoding planner")
struct SMSEncodingTests {
    static let cases: [SMSPlanCase] = [
        // "Uw"(2) + " "(1) + "factuur"(7) + " "(1) + "2024-001"(8) + " "(1) + "staat"(5) + " "(1) + "open."(5) = 31.
        SMSPlanCase(name: "short GSM text", text: "Uw factuur 2024-001 staat open.", transliterate: false,
                    encoding: .gsm7, units: 31, characters: 31, parts: 1),
        // 16 × 10 = 160 septets: exactly one part.
        SMSPlanCase(name: "160 GSM septets are one part", text: String(repeating: tenGSM, count: 16), transliterate: false,
                    encoding: .gsm7, units: 160, characters: 160, parts: 1),
        // 160 + "!" = 161 > 160, so parts of 153: ceil(161 / 153) = 2.
        SMSPlanCase(name: "161 GSM septets are two parts", text: String(repeating: tenGSM, count: 16) + "!", transliterate: false,
                    encoding: .gsm7, units: 161, characters: 161, parts: 2),
        // 30 × 10 + "Dank u"(6) = 306 = 2 × 153: still two parts.
        SMSPlanCase(name: "306 GSM septets are two parts", text: String(repeating: tenGSM, count: 30) + "Dank u", transliterate: false,
                    encoding: .gsm7, units: 306, characters: 306, parts: 2),
        // 30 × 10 + "Dank u."(7) = 307: one septet into a third part.
        SMSPlanCase(name: "307 GSM septets are three parts", text: String(repeating: tenGSM, count: 30) + "Dank u.", transliterate: false,
                    encoding: .gsm7, units: 307, characters: 307, parts: 3),
        // "Openstaand:"(11) + " "(1) + "€"(1 character, 2 septets: escape + code) + "12,50."(6): 19 characters, 20 septets.
        SMSPlanCase(name: "euro sign counts two septets", text: "Openstaand: €12,50.", transliterate: false,
                    encoding: .gsm7, units: 20, characters: 19, parts: 1),
        // "Kenmerk"(7) " "(1) "[A-17]"(6 characters; [ and ] are extension: 8 septets) " "(1) "bij"(3) " "(1) "café."(5, é is basic):
        // 24 characters, 26 septets.
        SMSPlanCase(name: "brackets are extension characters, é is basic", text: "Kenmerk [A-17] bij café.", transliterate: false,
                    encoding: .gsm7, units: 26, characters: 24, parts: 1),
        // "Het"(3) " "(1) "bedrag"(6) " "(1) "wordt"(5) " "(1) "geïnd."(6) = 23; ï is not GSM-7, so UCS-2, 23 UTF-16 units.
        SMSPlanCase(name: "geïnd without transliteration is UCS-2", text: "Het bedrag wordt geïnd.", transliterate: false,
                    encoding: .ucs2, units: 23, characters: 23, parts: 1),
        // The same 23 characters with ï→i: all GSM-7, 23 septets.
        SMSPlanCase(name: "geïnd with transliteration is GSM-7", text: "Het bedrag wordt geïnd.", transliterate: true,
                    encoding: .gsm7, units: 23, characters: 23, parts: 1),
        // 10 × 7 = 70 UTF-16 units: exactly one UCS-2 part.
        SMSPlanCase(name: "70 UCS-2 units are one part", text: String(repeating: sevenUCS, count: 10), transliterate: false,
                    encoding: .ucs2, units: 70, characters: 70, parts: 1),
        // 70 + "."(1) = 71 > 70, so parts of 67: ceil(71 / 67) = 2.
        SMSPlanCase(name: "71 UCS-2 units are two parts", text: String(repeating: sevenUCS, count: 10) + ".", transliterate: false,
                    encoding: .ucs2, units: 71, characters: 71, parts: 2),
        // "Klik"(4) " "(1) "op"(2) " "(1) "“Betalen”"(9) " "(1) "en"(2) " "(1) "‘bevestig’."(11) = 32; curly quotes are not GSM-7.
        SMSPlanCase(name: "curly quotes without transliteration are UCS-2", text: "Klik op “Betalen” en ‘bevestig’.", transliterate: false,
                    encoding: .ucs2, units: 32, characters: 32, parts: 1),
        // The same 32 characters with straight quotes: GSM-7, 32 septets.
        SMSPlanCase(name: "curly quotes with transliteration are GSM-7", text: "Klik op “Betalen” en ‘bevestig’.", transliterate: true,
                    encoding: .gsm7, units: 32, characters: 32, parts: 1),
        // "Bedrag:"(7) NBSP(1) "€"(1) NBSP(1) "45,00"(5) = 15 characters; NBSP is not GSM-7: UCS-2, 15 units.
        SMSPlanCase(name: "no-break space without transliteration is UCS-2", text: "Bedrag:\u{00A0}€\u{00A0}45,00", transliterate: false,
                    encoding: .ucs2, units: 15, characters: 15, parts: 1),
        // With NBSP→space: 15 characters, and € takes 2 septets: 16.
        SMSPlanCase(name: "no-break space with transliteration is GSM-7", text: "Bedrag:\u{00A0}€\u{00A0}45,00", transliterate: true,
                    encoding: .gsm7, units: 16, characters: 15, parts: 1),
        // "Bedankt"(7) " "(1) "voor"(4) " "(1) "uw"(2) " "(1) "betaling"(8) " "(1) = 25, then 👍 (U+1F44D: one character, a
        // surrogate pair of 2 units): 26 characters, 27 units.
        SMSPlanCase(name: "an emoji is a surrogate pair", text: "Bedankt voor uw betaling 👍", transliterate: false,
                    encoding: .ucs2, units: 27, characters: 26, parts: 1),
        // "Bedrag"(6) " "(1) "geïnd"(5) " "(1) "👍"(1 character, 2 units) = 14 characters, 15 units. The emoji keeps the
        // text UCS-2 whatever happens, so the ï is not replaced even with transliteration on.
        SMSPlanCase(name: "transliteration is skipped when the text stays UCS-2", text: "Bedrag geïnd 👍", transliterate: true,
                    encoding: .ucs2, units: 15, characters: 14, parts: 1),
        // "Betaal"(6) " "(1) "vandaag"(7) " "(1) "–"→"-"(1) " "(1) "dank"(4) " "(1) "u…"→"u..."(4) = 26 characters after
        // transliteration (24 before).
        SMSPlanCase(name: "dash and ellipsis are transliterated", text: "Betaal vandaag – dank u…", transliterate: true,
                    encoding: .gsm7, units: 26, characters: 26, parts: 1),
        // 15 × 10 + "ok" = 152 septets, then € (2 septets) would take positions 153 and 154 of part 1: the escape pair
        // moves whole to part 2. Then 15 × 10 + "ok" = 152 more. Total 306 septets (naively 2 parts), 305 characters.
        // Part 1: 152. Part 2: € (2) + 150 + "o" = 153. Part 3: "k". So 3 parts.
        SMSPlanCase(name: "an escape pair is not split across parts",
                    text: String(repeating: tenGSM, count: 15) + "ok€" + String(repeating: tenGSM, count: 15) + "ok", transliterate: false,
                    encoding: .gsm7, units: 306, characters: 305, parts: 3),
        // 9 × 7 + "Dag" = 66 units, then 👍 (2 units) would take units 67 and 68 of part 1: it moves to part 2. Then 66 more.
        // Total 134 units (naively 2 parts), 133 characters. Part 1: 66. Part 2: 👍 (2) + 65 = 67. Part 3: "g". So 3 parts.
        SMSPlanCase(name: "a surrogate pair is not split across parts",
                    text: String(repeating: sevenUCS, count: 9) + "Dag👍" + String(repeating: sevenUCS, count: 9) + "Dag", transliterate: false,
                    encoding: .ucs2, units: 134, characters: 133, parts: 3),
    ]

    @Test("plans Dutch texts as counted by hand", arguments: cases)
    func plansDutchTexts(_ example: SMSPlanCase) {
        let plan = SMSPlanner.plan(example.text, transliteration: SMSTransliteration(enabled: example.transliterate))
        #expect(plan.encoding == example.encoding)
        #expect(plan.units == example.units)
        #expect(plan.characters == example.characters)
        #expect(plan.parts == example.parts)
    }

    @Test("reports each replacement once, in order of first occurrence", arguments: [
        ("Het bedrag wordt geïnd.", "Het bedrag wordt geind.", ["ï→i"]),
        ("Klik op “Betalen” en ‘bevestig’.", "Klik op \"Betalen\" en 'bevestig'.", ["“→\"", "”→\"", "‘→'", "’→'"]),
        ("Bedrag:\u{00A0}€\u{00A0}45,00", "Bedrag: € 45,00", ["U+00A0→space"]),
        ("Betaal vandaag – dank u…", "Betaal vandaag - dank u...", ["–→-", "…→..."]),
        ("Geïnd, geëind, geïnd!", "Geind, geeind, geind!", ["ï→i", "ë→e"]),
        ("Ĳmuiden, reçu", "IJmuiden, recu", ["Ĳ→IJ", "ç→c"]),
        ("Gebruik `code`", "Gebruik 'code'", ["`→'"]),
        ("Be\u{00AD}ta\u{00AD}ling", "Betaling", ["U+00AD→(removed)"]),
    ])
    func reportsReplacements(_ input: String, _ expectedText: String, _ expectedNotes: [String]) {
        let plan = SMSPlanner.plan(input, transliteration: .on)
        #expect(plan.text == expectedText)
        #expect(plan.transliterated == expectedNotes)
        #expect(plan.encoding == .gsm7)
    }

    @Test("without transliteration the text is sent as written", arguments: [
        "Het bedrag wordt geïnd.", "Klik op “Betalen”.", "Bedrag:\u{00A0}€ 45,00", "Bedankt 👍", "Uw factuur staat open.",
    ])
    func offKeepsText(_ input: String) {
        let plan = SMSPlanner.plan(input, transliteration: .off)
        #expect(plan.text == input)
        #expect(plan.transliterated.isEmpty)
    }

    @Test("a decomposed letter is composed: ë becomes e, é stays é", arguments: [
        ("gee\u{0308}ind", "geeind", "e+U+0308→e"),
        ("cafe\u{0301}", "café", "e+U+0301→é"),
    ])
    func decomposedLetters(_ input: String, _ expectedText: String, _ expectedNote: String) {
        let plan = SMSPlanner.plan(input, transliteration: .on)
        #expect(plan.encoding == .gsm7)
        #expect(plan.text.unicodeScalars.elementsEqual(expectedText.unicodeScalars))
        #expect(plan.transliterated == [expectedNote])
    }

    @Test("the GSM 03.38 tables have 127 basic and 10 extension characters")
    func tableSizes() {
        var basic = 0
        var extended = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), SMSPlanner.isGSM7(scalar) else { continue }
            if SMSPlanner.isGSM7Extension(scalar) { extended += 1 } else { basic += 1 }
        }
        #expect(basic == 127)
        #expect(extended == 10)
    }

    @Test("GSM-7 membership of single characters", arguments: [
        ("@", true), ("é", true), ("è", true), ("ö", true), ("ü", true), ("Ç", true), ("Ø", true), ("ß", true), ("Δ", true),
        ("¤", true), ("§", true), ("€", true), ("[", true), ("\u{0C}", true), ("\n", true), ("\r", true),
        ("ë", false), ("ï", false), ("ç", false), ("`", false), ("\u{1B}", false), ("\t", false), ("’", false),
        ("\u{00A0}", false), ("Ω", true), ("\u{2126}", false),
    ] as [(Unicode.Scalar, Bool)])
    func membership(_ scalar: Unicode.Scalar, _ expected: Bool) {
        #expect(SMSPlanner.isGSM7(scalar) == expected)
    }

    @Test("every look-alike is itself GSM-7, and GSM-7 characters have none")
    func lookAlikesAreGSM() {
        var replaced = 0
        for value in UInt32(0)...0x3100 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let replacement = SMSTransliteration.replacement(for: Character(scalar))
            if SMSPlanner.isGSM7(scalar) {
                #expect(replacement == nil, "GSM-7 character U+\(String(value, radix: 16)) has a replacement")
            } else if let replacement {
                replaced += 1
                #expect(SMSPlanner.isGSM7(replacement), "replacement for U+\(String(value, radix: 16)) is not GSM-7")
            }
        }
        #expect(replaced > 40)
    }

    @Test("parts follow 160/153 for plain GSM text", arguments: [0, 1, 159, 160, 161, 305, 306, 307, 459, 460])
    func gsmPartsByLength(_ length: Int) {
        let plan = SMSPlanner.plan(String(repeating: "a", count: length), transliteration: .off)
        let expected = length <= 160 ? 1 : (length + 152) / 153
        #expect(plan.parts == expected)
        #expect(plan.units == length)
    }

    @Test("parts follow 70/67 for plain UCS-2 text", arguments: [1, 69, 70, 71, 133, 134, 135, 201, 202])
    func ucs2PartsByLength(_ length: Int) {
        let plan = SMSPlanner.plan(String(repeating: "ë", count: length), transliteration: .off)
        let expected = length <= 70 ? 1 : (length + 66) / 67
        #expect(plan.encoding == .ucs2)
        #expect(plan.parts == expected)
    }
}

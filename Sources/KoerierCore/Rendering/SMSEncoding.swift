/// The character set an SMS is sent in.
public enum SMSEncoding: String, Sendable {
    /// The GSM 03.38 default alphabet and its extension table, 7 bits per septet.
    case gsm7 = "GSM-7"
    /// UTF-16 code units (UCS-2 on the wire; a surrogate pair takes two units).
    case ucs2 = "UCS-2"

    /// Units that fit in a message of one part: 160 septets or 70 UTF-16 units.
    public var singlePartCapacity: Int { self == .gsm7 ? 160 : 70 }

    /// Units per part of a concatenated message (the user data header takes the rest): 153 or 67.
    public var multipartCapacity: Int { self == .gsm7 ? 153 : 67 }
}

/// What a text costs as an SMS: its encoding, its size in units and the number of parts billed.
public struct SMSPlan: Sendable, Equatable {
    /// The text to send, after optional transliteration.
    public var text: String
    /// The encoding the text needs.
    public var encoding: SMSEncoding
    /// GSM-7 septets (an extension character counts 2) or UTF-16 code units (a surrogate pair counts 2).
    public var units: Int
    /// User-visible characters (`Character` count).
    public var characters: Int
    /// The number of parts; never splits an escape pair or a surrogate pair across two parts.
    public var parts: Int
    /// The replacements made, such as `"ë→e"`, each once, in order of first occurrence.
    public var transliterated: [String]

    /// Creates a plan from its fields; use `SMSPlanner.plan` to compute one.
    public init(text: String, encoding: SMSEncoding, units: Int, characters: Int, parts: Int, transliterated: [String]) {
        self.text = text
        self.encoding = encoding
        self.units = units
        self.characters = characters
        self.parts = parts
        self.transliterated = transliterated
    }
}

/// Whether characters outside GSM-7 are replaced by GSM-7 look-alikes (`ë→e`, `’→'`, `…→...`) to avoid UCS-2.
public struct SMSTransliteration: Sendable, Equatable {
    /// True to replace characters outside GSM-7 by look-alikes.
    public var enabled: Bool

    /// Creates the option.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Send the text exactly as written.
    public static let off = SMSTransliteration(enabled: false)

    /// Replace characters outside GSM-7 by look-alikes when that makes the whole text GSM-7.
    public static let on = SMSTransliteration(enabled: true)

    /// The GSM-7 text that stands in for a character outside GSM-7 (possibly empty), or nil when there is none.
    public static func replacement(for character: Character) -> String? {
        if SMSPlanner.isGSM7(String(character)) { return nil }
        if let composed = gsmComposed[character] { return composed }
        return table[character]
    }

    /// Characters that are canonically equivalent to a GSM-7 character (a decomposed `e` + U+0301 is `é`).
    /// `Character` hashing follows canonical equivalence, so a decomposed key finds the composed entry.
    private static let gsmComposed: [Character: String] = {
        var map: [Character: String] = [:]
        for scalar in SMSPlanner.basicTable where scalar.value > 0x7F {
            map[Character(scalar)] = String(scalar)
        }
        return map
    }()

    /// Look-alikes for characters outside GSM-7; letters that GSM-7 has (é è ö ü ä à ñ ...) are not listed.
    private static let table: [Character: String] = {
        let groups: [(String, String)] = [
            ("áâãāą", "a"), ("ÀÁÂÃĀĄ", "A"),
            ("çćč", "c"), ("ĆČ", "C"),
            ("êëēę", "e"), ("ÈÊËĒĘ", "E"),
            ("íîïī", "i"), ("ÌÍÎÏĪ", "I"),
            ("óôõō", "o"), ("ÒÓÔÕŌ", "O"),
            ("úûū", "u"), ("ÙÚÛŪ", "U"),
            ("ýÿ", "y"), ("ÝŸ", "Y"),
            ("šś", "s"), ("ŠŚ", "S"), ("žźż", "z"), ("ŽŹŻ", "Z"), ("ł", "l"), ("Ł", "L"),
            ("\u{2018}\u{2019}\u{201A}\u{201B}\u{2032}`", "'"),
            ("\u{201C}\u{201D}\u{201E}\u{201F}\u{2033}«»", "\""),
            ("\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2212}", "-"),
            ("\u{00A0}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{202F}\u{205F}\u{3000}", " "),
            ("\u{00AD}\u{200B}\u{2060}\u{FEFF}", ""),
        ]
        var map: [Character: String] = [:]
        for (sources, target) in groups {
            for scalar in sources.unicodeScalars { map[Character(scalar)] = target }
        }
        map["\u{2026}"] = "..."
        map["ĳ"] = "ij"
        map["Ĳ"] = "IJ"
        map["œ"] = "oe"
        map["Œ"] = "OE"
        return map
    }()
}

/// Decides the encoding, size and number of parts of an SMS text.
public enum SMSPlanner {
    /// Plans `text`; with transliteration on, look-alikes are used only when they make the whole text GSM-7
    /// (a text that stays UCS-2 anyway, say with an emoji, is sent as written).
    public static func plan(_ text: String, transliteration: SMSTransliteration) -> SMSPlan {
        var chosen = text
        var notes: [String] = []
        if transliteration.enabled && !isGSM7(text) {
            let (candidate, replacements) = transliterate(text)
            if isGSM7(candidate) {
                chosen = candidate
                notes = replacements
            }
        }
        let encoding: SMSEncoding = isGSM7(chosen) ? .gsm7 : .ucs2
        let weights: [Int] = switch encoding {
        case .gsm7: chosen.unicodeScalars.map { isGSM7Extension($0) ? 2 : 1 }
        case .ucs2: chosen.unicodeScalars.map { $0.utf16.count }
        }
        let units = weights.reduce(0, +)
        return SMSPlan(
            text: chosen,
            encoding: encoding,
            units: units,
            characters: chosen.count,
            parts: parts(weights: weights, units: units, encoding: encoding),
            transliterated: notes
        )
    }

    /// True when `scalar` is in the GSM 03.38 basic character set or its extension table.
    public static func isGSM7(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return asciiClass[Int(scalar.value)] != 0 }
        return basicTable.contains(scalar) || extensionTable.contains(scalar)
    }

    /// For each ASCII code: 0 not in GSM-7, 1 in the basic table, 2 in the extension table (two septets). Most of
    /// an SMS is ASCII: a table lookup instead of hashing each character.
    private static let asciiClass: [UInt8] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        return basicTable.contains(scalar) ? 1 : extensionTable.contains(scalar) ? 2 : 0
    }

    /// True when `scalar` is in the GSM 03.38 extension table and so takes two septets (escape + code).
    public static func isGSM7Extension(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return asciiClass[Int(scalar.value)] == 2 }
        return extensionTable.contains(scalar)
    }

    /// True when every scalar of `text` is GSM-7.
    public static func isGSM7(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { isGSM7($0) }
    }

    /// The 127 characters of the GSM 03.38 default alphabet (0x00–0x7F without the escape at 0x1B), in code order.
    static let basicTable: Set<Unicode.Scalar> = Set((
        "@£$¥èéùìòÇ\nØø\rÅå"
        + "\u{0394}_\u{03A6}\u{0393}\u{039B}\u{03A9}\u{03A0}\u{03A8}\u{03A3}\u{0398}\u{039E}ÆæßÉ"
        + " !\"#¤%&'()*+,-./0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
        + "¿abcdefghijklmnopqrstuvwxyzäöñüà"
    ).unicodeScalars)

    /// The GSM 03.38 extension table: form feed ^ { } \ [ ~ ] | €, each sent as escape + code.
    static let extensionTable: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Parts for a text whose scalars weigh `weights`: a scalar that does not fit in what is left of a part starts the next.
    private static func parts(weights: [Int], units: Int, encoding: SMSEncoding) -> Int {
        guard units > encoding.singlePartCapacity else { return 1 }
        let capacity = encoding.multipartCapacity
        var parts = 1
        var used = 0
        for weight in weights {
            if used + weight > capacity {
                parts += 1
                used = 0
            }
            used += weight
        }
        return parts
    }

    /// Replaces every character outside GSM-7 that has a look-alike; returns the text and the replacements made.
    private static func transliterate(_ text: String) -> (String, [String]) {
        var result = ""
        var notes: [String] = []
        for character in text {
            guard !character.unicodeScalars.allSatisfy({ isGSM7($0) }),
                  let replacement = SMSTransliteration.replacement(for: character)
            else {
                result.append(character)
                continue
            }
            result += replacement
            let note = "\(describe(String(character)))→\(describe(replacement))"
            if !notes.contains(note) { notes.append(note) }
        }
        return (result, notes)
    }

    /// A readable form for a replacement note: invisible scalars as `U+00A0`, an empty text as `(removed)`.
    private static func describe(_ text: String) -> String {
        if text.isEmpty { return "(removed)" }
        if text == " " { return "space" }
        let scalars = text.unicodeScalars
        let invisible: (Unicode.Scalar) -> Bool = { scalar in
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .format, .control, .nonspacingMark, .enclosingMark: true
            default: false
            }
        }
        guard scalars.contains(where: invisible) else { return text }
        return scalars.map { scalar in
            invisible(scalar) ? "U+" + hex4(scalar.value) : String(scalar)
        }.joined(separator: "+")
    }

    /// `value` as upper-case hexadecimal, at least four digits.
    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

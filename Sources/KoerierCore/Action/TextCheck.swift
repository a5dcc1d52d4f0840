/// The one rule for text in an action file: no character that is invisible or reorders what a reader sees.
///
/// Refused, with the code point in the reason: control characters (Unicode category Cc: C0, DEL, C1), format
/// characters (Cf: the bidirectional marks, embeddings, overrides and isolates U+200E, U+200F, U+061C,
/// U+202A–U+202E, U+2066–U+2069; the zero-width U+200B–U+200D, U+2060, U+FEFF; soft hyphen, tag characters and
/// the rest of Cf), and the line and paragraph separators U+2028 and U+2029. `factuur\u{202E}fdp.exe` would read
/// `factuurexe.pdf`; a name is the debtor's identity, so such text is refused rather than silently altered.
public enum TextCheck {
    /// Why `text` is not acceptable (naming the first offending code point), or nil.
    public static func problem(_ text: String) -> String? {
        // Printable ASCII throughout (most fields): nothing to look up.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        guard let bad = text.unicodeScalars.first(where: isRefused) else { return nil }
        return "contains \(describe(bad)); remove it"
    }

    /// True for a scalar the rule refuses.
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `text` with every refused scalar written as `\u{202E}`, safe to quote in a one-line reason.
    public static func escaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isRefused(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `U+202E`: the code point in its usual form, at least four hex digits.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A short description of a refused scalar for a reason text.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": return "a carriage return (CR, U+000D)"
        case "\n": return "a line feed (LF, U+000A)"
        default: break
        }
        let code = codePoint(scalar)
        if scalar.properties.generalCategory == .control { return "the control character \(code)" }
        let name = scalar.properties.name.map { " \($0)" } ?? ""
        let kind = bidiControls.contains(scalar.value) ? "a bidirectional control character"
            : zeroWidth.contains(scalar.value) ? "a zero-width character" : "an invisible formatting character"
        return "\(kind) \(code)\(name)"
    }

    private static let bidiControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
    private static let zeroWidth: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
}

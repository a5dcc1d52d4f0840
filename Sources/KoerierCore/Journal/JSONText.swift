/// JSON string quoting without Foundation's encoder (fast, and `/` stays readable); one implementation for the
/// journal, the SMS provider bodies and the tests.
public enum JSONText {
    /// Appends `string` as a quoted JSON string literal.
    public static func appendQuoted(_ string: String, to out: inout String) {
        // Fast path: most values need no escaping at all.
        let clean = string.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F && $0 != 0xE2 }
        if clean {
            out += "\""
            out += string
            out += "\""
            return
        }
        var scalars = String.UnicodeScalarView()
        scalars.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": scalars.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": scalars.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": scalars.append(contentsOf: "\\n".unicodeScalars)
            case "\r": scalars.append(contentsOf: "\\r".unicodeScalars)
            case "\t": scalars.append(contentsOf: "\\t".unicodeScalars)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    let hex = String(scalar.value, radix: 16)
                    scalars.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
                } else {
                    scalars.append(scalar)
                }
            }
        }
        scalars.append("\"")
        out += String(scalars)
    }

    /// `string` as a quoted JSON string literal.
    public static func quoted(_ string: String) -> String {
        var out = ""
        appendQuoted(string, to: &out)
        return out
    }
}

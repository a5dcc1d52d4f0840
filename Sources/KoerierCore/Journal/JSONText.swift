/// JSON string quoting without Foundation's encoder (fast, and `/` stays readable); one implementation for the
/// journal, the SMS provider bodies and the tests. Escapes `"`, `\`, control characters, DEL and U+2028/U+2029;
/// everything else is copied byte for byte.
public enum JSONText {
    /// Appends `string` as a quoted JSON string literal.
    public static func appendQuoted(_ string: String, to out: inout String) {
        if isClean(string) {
            out += "\""
            out += string
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        appendQuoted(string, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string` as a quoted JSON string literal, as UTF-8 bytes.
    public static func appendQuoted(_ string: String, to out: inout [UInt8]) {
        out.append(0x22)
        var string = string
        string.withUTF8 { input in
            var index = 0
            while index < input.count {
                let byte = input[index]
                switch byte {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(0x6E)
                case 0x0D: out.append(0x5C); out.append(0x72)
                case 0x09: out.append(0x5C); out.append(0x74)
                case 0..<0x20, 0x7F:
                    appendUnicodeEscape(UInt32(byte), to: &out)
                case 0xE2 where index + 2 < input.count && input[index + 1] == 0x80 && (input[index + 2] == 0xA8 || input[index + 2] == 0xA9):
                    // U+2028 and U+2029 end a line in JavaScript: escaped so a line of the journal stays one line.
                    appendUnicodeEscape(input[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                    index += 2
                default:
                    out.append(byte)
                }
                index += 1
            }
        }
        out.append(0x22)
    }

    /// `string` as a quoted JSON string literal.
    public static func quoted(_ string: String) -> String {
        var out = ""
        appendQuoted(string, to: &out)
        return out
    }

    /// True when `string` needs no escaping at all (the common case).
    static func isClean(_ string: String) -> Bool {
        string.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F && $0 != 0xE2 }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `\uXXXX` in lower-case hex.
    private static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x75)
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)]) }
    }
}

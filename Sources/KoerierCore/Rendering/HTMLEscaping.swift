/// HTML escaping exactly as swift-mustache 2.1.1 does it (`String.htmlEscape()` in its `String.swift`): `<`, `>`,
/// `&`, `"` and `'` become `&lt;`, `&gt;`, `&amp;`, `&quot;` and `&#39;`, compared per `Character`, so a mark
/// that joins such a character into one grapheme (`&` followed by U+0301) leaves it unescaped.
enum HTMLEscaping {
    /// Appends `text` to `out`, escaped.
    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            var clean = 0
            while index < bytes.count {
                let replacement: [UInt8]
                switch bytes[index] {
                case UInt8(ascii: "<"): replacement = lessThan
                case UInt8(ascii: ">"): replacement = greaterThan
                case UInt8(ascii: "&"): replacement = ampersand
                case UInt8(ascii: "\""): replacement = quote
                case UInt8(ascii: "'"): replacement = apostrophe
                default:
                    index += 1
                    continue
                }
                // Between ASCII neighbours the byte is a character of its own; otherwise let `Character` decide,
                // from `clean` on (a grapheme boundary: the start, or just after a special character of its own).
                if (index > 0 && bytes[index - 1] >= 0x80) || (index + 1 < bytes.count && bytes[index + 1] >= 0x80) {
                    appendPerCharacter(String(decoding: UnsafeBufferPointer(rebasing: bytes[clean...]), as: UTF8.self), to: &out)
                    return
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean..<index]))
                out.append(contentsOf: replacement)
                index += 1
                clean = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean...]))
        }
    }

    /// swift-mustache's own loop: each `Character` equal to a special one is replaced.
    static func appendPerCharacter(_ text: String, to out: inout [UInt8]) {
        for character in text {
            switch character {
            case "<": out += lessThan
            case ">": out += greaterThan
            case "&": out += ampersand
            case "\"": out += quote
            case "'": out += apostrophe
            default: out.append(contentsOf: character.utf8)
            }
        }
    }

    private static let lessThan = Array("&lt;".utf8)
    private static let greaterThan = Array("&gt;".utf8)
    private static let ampersand = Array("&amp;".utf8)
    private static let quote = Array("&quot;".utf8)
    private static let apostrophe = Array("&#39;".utf8)
}

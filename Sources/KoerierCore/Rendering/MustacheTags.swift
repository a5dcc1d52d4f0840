/// Finds the tags in a Mustache source, with their lines.
enum MustacheTags {
    struct Tag {
        var name: String
        var line: Int
        /// `{{#name}}`, `{{^name}}` or `{{/name}}`.
        var isSection = false
    }

    /// Variable and section names used (comments, partials, parents, blocks and pragmas are skipped).
    /// Scans the UTF-8 bytes (every delimiter is ASCII): `run` lints every template at start and on reload.
    static func scan(_ source: String) -> [Tag] {
        let bytes = Array(source.utf8)
        var tags: [Tag] = []
        var line = 1
        var index = 0
        while let open = find(bytes, "{{", from: index) {
            line += newlines(bytes, index..<open)
            let inside = open + 2
            let closeToken = inside < bytes.count && bytes[inside] == UInt8(ascii: "{") ? "}}}" : "}}"
            guard let close = find(bytes, closeToken, from: inside) else { break }
            line += newlines(bytes, inside..<close)
            index = close + closeToken.utf8.count
            var inner = trimmed(bytes[inside..<close])
            guard let first = inner.first else { continue }
            if Array("!><$%=".utf8).contains(first) { continue }
            let isSection = Array("#^/".utf8).contains(first)
            if Array("#^/&{".utf8).contains(first) { inner = trimmed(inner.dropFirst()) }
            if inner.last == UInt8(ascii: "}") { inner = inner.dropLast() }
            // Drop a transform such as uppercased(name).
            if let paren = inner.firstIndex(of: UInt8(ascii: "(")), inner.last == UInt8(ascii: ")") {
                inner = inner[(paren + 1)..<(inner.endIndex - 1)]
            }
            tags.append(Tag(name: String(decoding: inner, as: UTF8.self), line: line, isSection: isSection))
        }
        return tags
    }

    /// The source with every tag removed, for prose checks; line breaks are kept.
    static func stripTags(_ source: String) -> String {
        let bytes = Array(source.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while let open = find(bytes, "{{", from: index) {
            out += bytes[index..<open]
            guard let close = find(bytes, "}}", from: open + 2) else { index = bytes.count; break }
            out += [UInt8](repeating: 10, count: newlines(bytes, open..<(close + 2)))
            out.append(32)
            index = close + 2
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1 }
        }
        out += bytes[index...]
        // Remove HTML tags so attribute names never count as words.
        var plain: [UInt8] = []
        plain.reserveCapacity(out.count)
        var inTag = false
        for byte in out {
            if byte == UInt8(ascii: "<") { inTag = true; continue }
            if byte == UInt8(ascii: ">") { inTag = false; plain.append(32); continue }
            if !inTag { plain.append(byte) }
        }
        return String(decoding: plain, as: UTF8.self)
    }

    /// The first offset at or after `from` where `token` starts.
    private static func find(_ bytes: [UInt8], _ token: String, from: Int) -> Int? {
        let needle = Array(token.utf8)
        guard needle.count <= bytes.count else { return nil }
        var index = from
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static func newlines(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        bytes[range].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
    }

    /// Without spaces and tabs at either end.
    private static func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = slice
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }
}

import Foundation

/// Finds the tags in a Mustache source, with their lines.
enum MustacheTags {
    struct Tag {
        var name: String
        var line: Int
        /// `{{#name}}`, `{{^name}}` or `{{/name}}`.
        var isSection = false
    }

    /// Variable and section names used (comments, partials, parents, blocks and pragmas are skipped).
    static func scan(_ source: String) -> [Tag] {
        var tags: [Tag] = []
        var line = 1
        var index = source.startIndex
        while let open = source.range(of: "{{", range: index..<source.endIndex) {
            line += source[index..<open.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            let closeToken = source[open.upperBound...].hasPrefix("{") ? "}}}" : "}}"
            guard let close = source.range(of: closeToken, range: open.upperBound..<source.endIndex) else { break }
            var inner = source[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            line += source[open.upperBound..<close.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            index = close.upperBound
            guard let first = inner.first else { continue }
            if "!><$%=".contains(first) { continue }
            let isSection = "#^/".contains(first)
            if "#^/&{".contains(first) { inner.removeFirst() }
            inner = inner.trimmingCharacters(in: .whitespaces)
            if inner.hasSuffix("}") { inner.removeLast() }
            // Drop a transform such as uppercased(name).
            if let paren = inner.firstIndex(of: "("), inner.hasSuffix(")") {
                inner = String(inner[inner.index(after: paren)..<inner.index(before: inner.endIndex)])
            }
            tags.append(Tag(name: inner, line: line, isSection: isSection))
        }
        return tags
    }

    /// The source with every tag removed, for prose checks; line breaks are kept.
    static func stripTags(_ source: String) -> String {
        var out = ""
        var index = source.startIndex
        while let open = source.range(of: "{{", range: index..<source.endIndex) {
            out += source[index..<open.lowerBound]
            guard let close = source.range(of: "}}", range: open.upperBound..<source.endIndex) else { index = source.endIndex; break }
            out += String(repeating: "\n", count: source[open.lowerBound..<close.upperBound].filter { $0 == "\n" }.count) + " "
            index = close.upperBound
            if index < source.endIndex, source[index] == "}" { index = source.index(after: index) }
        }
        out += source[index...]
        // Remove HTML tags so attribute names never count as words.
        var plain = ""
        var inTag = false
        for character in out {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; plain.append(" "); continue }
            if !inTag { plain.append(character) }
        }
        return plain
    }
}

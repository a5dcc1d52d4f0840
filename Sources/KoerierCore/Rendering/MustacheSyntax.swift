/// A Mustache source as swift-mustache 2.1.1 reads it: text, variables, sections, inverted sections, partials and the
/// `CONTENT_TYPE` pragma, for `MustacheCompiler`.
///
/// `parse` follows swift-mustache's parser (`Template+Parser.swift`, `Parser.swift`) step for step, quirks included,
/// so a compiled template renders the bytes swift-mustache renders: text is cut at each line end; the indentation of
/// a line is held back until the line turns out to hold only a standalone tag (which then takes it and the line end
/// with it); comments and pragmas swallow the indentation before them; a standalone partial keeps its indentation
/// both as text and as the indentation of its lines; after a section the parser is "at a new line" when the opening
/// tag was standalone. Characters are compared as Swift `Character`s, as swift-mustache does.
///
/// Features the compiler does not handle throw `Unsupported`: transforms (`{{uppercased(name)}}`), parents and
/// blocks (`{{<`, `{{$`), set delimiters (`{{=`), dynamic partials (`{{>*name}}`). So do sources swift-mustache
/// would refuse; either way the template renders with swift-mustache.
enum MustacheSyntax {
    /// One parsed piece of a template.
    enum Node: Sendable, Equatable {
        case text(String)
        /// `{{name}}` (escaped as the content type says) or, with `escaped` false, `{{{name}}}` / `{{&name}}`.
        case variable(String, escaped: Bool)
        case section(String, [Node])
        case invertedSection(String, [Node])
        /// `{{> name}}`; `indentation` is set (possibly empty) when the tag stands alone on its line.
        case partial(String, indentation: String?)
        /// `{{% CONTENT_TYPE: HTML }}` (true) or `TEXT` (false).
        case contentType(html: Bool)
    }

    /// Why a source is not compiled: a feature the compiler leaves to swift-mustache, or a syntax error.
    struct Unsupported: Error, Sendable, Equatable, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// The nodes of `source`, or why it is left to swift-mustache.
    static func parse(_ source: String) throws(Unsupported) -> [Node] {
        var cursor = Cursor(source)
        return try parseNodes(&cursor, section: nil, newLine: true)
    }

    private static let spaceOrTab: Set<Character> = [" ", "\t"]
    private static let textStops: Set<Character> = ["\n", "\r\n", "{"]
    private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let nameCharactersWithoutBrackets = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let partialNameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")

    /// `MustacheTemplate.parse(_:state:)`: the nodes up to the end, or up to `{{/section}}` inside a section.
    private static func parseNodes(_ cursor: inout Cursor, section: String?, newLine startsAtNewLine: Bool) throws(Unsupported) -> [Node] {
        var nodes: [Node] = []
        var newLine = startsAtNewLine
        var whiteSpaceBefore: Substring = ""
        while !cursor.reachedEnd {
            if newLine {
                whiteSpaceBefore = cursor.read(whileIn: spaceOrTab)
            }
            let text = try readUntilTagOrNewline(&cursor)
            if cursor.current.isNewline {
                nodes.append(.text(String(whiteSpaceBefore) + text + String(cursor.current)))
                newLine = true
                cursor.advance()
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(String(whiteSpaceBefore) + text))
                whiteSpaceBefore = ""
                newLine = false
            }
            if cursor.reachedEnd { break }
            var setNewLine = false
            switch cursor.current {
            case "#", "^":
                let inverted = cursor.current == "^"
                cursor.advance()
                let name = try readName(&cursor)
                if isStandalone(&cursor, newLine: newLine) {
                    setNewLine = true
                } else if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                    whiteSpaceBefore = ""
                }
                let body = try parseNodes(&cursor, section: name, newLine: setNewLine)
                nodes.append(inverted ? .invertedSection(name, body) : .section(name, body))

            case "/":
                cursor.advance()
                let name = try readName(&cursor)
                guard name == section else { throw Unsupported(reason: "{{/\(name)}} closes no open section") }
                if !isStandalone(&cursor, newLine: newLine), !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                }
                return nodes

            case "!":
                cursor.advance()
                guard cursor.skip(past: "}}") else { throw Unsupported(reason: "a comment is not closed") }
                setNewLine = isStandalone(&cursor, newLine: newLine)

            case "{", "&":
                let triple = cursor.current == "{"
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                    whiteSpaceBefore = ""
                }
                cursor.advance()
                let name = try readName(&cursor)
                if triple {
                    guard try cursor.read("}") else { throw Unsupported(reason: "{{{\(name)}} lacks its third brace") }
                }
                nodes.append(.variable(name, escaped: false))

            case ">":
                cursor.advance()
                _ = cursor.read(while: \.isWhitespace)
                if cursor.current == "*" { throw Unsupported(reason: "dynamic partials ({{>*name}})") }
                _ = cursor.read(while: \.isWhitespace)
                let name = String(cursor.read(whileIn: partialNameCharacters))
                _ = cursor.read(while: \.isWhitespace)
                guard try cursor.read(string: "}}") else { throw Unsupported(reason: "a partial tag is not closed") }
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                }
                if isStandalone(&cursor, newLine: newLine) {
                    setNewLine = true
                    nodes.append(.partial(name, indentation: String(whiteSpaceBefore)))
                } else {
                    nodes.append(.partial(name, indentation: nil))
                }
                whiteSpaceBefore = ""

            case "<", "$":
                throw Unsupported(reason: "template inheritance ({{<parent}}, {{$block}})")

            case "=":
                throw Unsupported(reason: "set delimiters ({{=<% %>=}})")

            case "%":
                cursor.advance()
                nodes.append(try readPragma(&cursor))
                setNewLine = isStandalone(&cursor, newLine: newLine)

            default:
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                    whiteSpaceBefore = ""
                }
                nodes.append(.variable(try readName(&cursor), escaped: true))
            }
            newLine = setNewLine
        }
        if let section { throw Unsupported(reason: "{{#\(section)}} is not closed") }
        return nodes
    }

    /// `readUntilDelimiterOrNewline`: text up to a line end (not consumed) or up to and past `{{`.
    private static func readUntilTagOrNewline(_ cursor: inout Cursor) throws(Unsupported) -> String {
        var text = ""
        while !cursor.reachedEnd {
            text += cursor.read(untilIn: textStops)
            if cursor.current.isNewline { break }
            if cursor.current == "{" {
                if try cursor.read(string: "{{") { break }
                text += "{"
                cursor.advance()
            }
        }
        return text
    }

    /// `parseName`: a variable or section name between optional white space, then `}}`. A name with brackets is a
    /// transform, which the compiler leaves to swift-mustache.
    private static func readName(_ cursor: inout Cursor) throws(Unsupported) -> String {
        _ = cursor.read(while: \.isWhitespace)
        let name = String(cursor.read(whileIn: nameCharacters))
        _ = cursor.read(while: \.isWhitespace)
        guard try cursor.read(string: "}}") else { throw Unsupported(reason: "a tag is not closed") }
        if name.contains(where: { !nameCharactersWithoutBrackets.contains($0) }) {
            throw Unsupported(reason: "transforms ({{\(name)}})")
        }
        return name
    }

    /// `readConfigVariable`: `{{% CONTENT_TYPE: HTML }}` or `TEXT`.
    private static func readPragma(_ cursor: inout Cursor) throws(Unsupported) -> Node {
        _ = cursor.read(while: \.isWhitespace)
        let variable = cursor.read(whileIn: nameCharactersWithoutBrackets)
        _ = cursor.read(while: \.isWhitespace)
        guard try cursor.read(":") else { throw Unsupported(reason: "a pragma lacks its colon") }
        _ = cursor.read(while: \.isWhitespace)
        let value = cursor.read(whileIn: nameCharactersWithoutBrackets)
        _ = cursor.read(while: \.isWhitespace)
        guard try cursor.read(string: "}}") else { throw Unsupported(reason: "a pragma is not closed") }
        switch (variable, value) {
        case ("CONTENT_TYPE", "HTML"): return .contentType(html: true)
        case ("CONTENT_TYPE", "TEXT"): return .contentType(html: false)
        default: throw Unsupported(reason: "the pragma {{% \(variable): \(value) }}")
        }
    }

    /// `isStandalone`: at the start of a line and only spaces or tabs up to its end, whose line end is then consumed.
    private static func isStandalone(_ cursor: inout Cursor, newLine: Bool) -> Bool {
        guard newLine else { return false }
        if cursor.reachedEnd { return true }
        var ahead = cursor
        _ = ahead.read(whileIn: spaceOrTab)
        guard ahead.current.isNewline else { return false }
        ahead.advance()
        cursor = ahead
        return true
    }

    /// A position in the source, moving by `Character` as swift-mustache's `Parser` does.
    private struct Cursor {
        let text: String
        var position: String.Index

        init(_ text: String) {
            self.text = text
            self.position = text.startIndex
        }

        var reachedEnd: Bool { position == text.endIndex }
        /// The current character, NUL at the end (as `Parser.current()`).
        var current: Character { reachedEnd ? "\0" : text[position] }

        mutating func advance() { position = text.index(after: position) }

        mutating func read(whileIn set: Set<Character>) -> Substring {
            read { set.contains($0) }
        }

        mutating func read(while predicate: (Character) -> Bool) -> Substring {
            let start = position
            while !reachedEnd, predicate(text[position]) { advance() }
            return text[start..<position]
        }

        /// Up to (not past) a character of `set`, or to the end.
        mutating func read(untilIn set: Set<Character>) -> Substring {
            read { !set.contains($0) }
        }

        /// `Parser.read(string:)`: consumes `string` if it comes next; fewer characters left than it has is an error.
        mutating func read(string: String) throws(Unsupported) -> Bool {
            var end = position
            for _ in 0..<string.count {
                guard end != text.endIndex else { throw Unsupported(reason: "the source ends inside a tag") }
                end = text.index(after: end)
            }
            guard text[position..<end] == string else { return false }
            position = end
            return true
        }

        /// `Parser.read(_:)` for one character; at the end it is an error.
        mutating func read(_ character: Character) throws(Unsupported) -> Bool {
            guard !reachedEnd else { throw Unsupported(reason: "the source ends inside a tag") }
            guard text[position] == character else { return false }
            advance()
            return true
        }

        /// `Parser.read(untilString:skipToEnd:)` as the comment reader uses it (the same forward-only match);
        /// false, with the position unchanged, when `marker` never comes.
        mutating func skip(past marker: String) -> Bool {
            let markers = Array(marker)
            var index = position
            var matched = 0
            while index != text.endIndex {
                if text[index] == markers[matched] {
                    matched += 1
                    if matched == markers.count {
                        position = text.index(after: index)
                        return true
                    }
                } else {
                    matched = 0
                }
                index = text.index(after: index)
            }
            return false
        }
    }
}

/// Measures how deep a YAML text nests and finds aliases, without building anything.
///
/// Yams builds its node tree recursively, so a deeply nested document overflows the stack before any
/// check on the tree could run; and aliases let a small file expand to gigabytes. This scanner follows the
/// token rules of libyaml's scanner (the parser inside Yams) closely enough to know, for every token,
/// whether it opens a collection: flow collections (`[`, `{`), block collections (the indentation stack,
/// including compact `- - x` and `? x` forms), quoted, plain and block scalars (whose contents are skipped
/// exactly as libyaml skips them) and comments. It stops at the first alias or at the first point where
/// the nesting passes `maximumDepth`. Its depth errs high: an indentation level counts as two, because a
/// block sequence may sit at the column of its parent key, and so does a flow collection, because a pair
/// inside a flow sequence (`[a: b]`) is a mapping of its own.
///
/// It runs in time linear in the text, with constant stack.
struct YAMLShapeScanner {
    /// What the scanner refuses, with the 1-based line and column where it was found.
    enum Finding: Equatable {
        /// The nesting passes the limit.
        case tooDeep(line: Int, column: Int)
        /// A `*alias`.
        case alias(line: Int, column: Int)
    }

    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var i = 0
    private var line = 1
    private var column = 0
    private var flow = 0
    /// Columns of the open block collections (libyaml's indent stack).
    private var indents: [Int] = []
    private var simpleKeyAllowed = true
    /// Per flow level: where a simple key may have started (line, column, byte index).
    private var keys: [(line: Int, column: Int, index: Int)?] = [nil]

    private init(_ bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// The first alias or excessive nesting in `bytes`, or nil when there is none (or the text is not YAML,
    /// which the parser reports next).
    static func scan(_ bytes: [UInt8], maximumDepth: Int) -> Finding? {
        var scanner = YAMLShapeScanner(bytes, maximumDepth: maximumDepth)
        return scanner.run()
    }

    // MARK: Tokens

    private mutating func run() -> Finding? {
        while true {
            skipToToken()
            guard i < bytes.count else { return nil }
            if flow == 0 { unroll(to: column) }
            let c = bytes[i]
            if column == 0 && isDocumentMarker() {
                advance(3)
                indents.removeAll()
                keys = [nil]
                simpleKeyAllowed = true
                continue
            }
            if column == 0 && c == UInt8(ascii: "%") {
                skipToLineEnd()
                continue
            }
            switch c {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                saveKey()
                flow += 1
                keys.append(nil)
                simpleKeyAllowed = true
                advance(1)
                if depth > maximumDepth { return .tooDeep(line: line, column: column) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if flow > 0 {
                    flow -= 1
                    keys.removeLast()
                }
                simpleKeyAllowed = false
                advance(1)
            case UInt8(ascii: ","):
                keys[keys.count - 1] = nil
                simpleKeyAllowed = true
                advance(1)
            case UInt8(ascii: "-") where isBlankOrEnd(i + 1):
                if flow == 0 { roll(to: column) }
                keys[keys.count - 1] = nil
                simpleKeyAllowed = true
                advance(1)
                if depth > maximumDepth { return .tooDeep(line: line, column: column) }
            case UInt8(ascii: "?") where flow > 0 || isBlankOrEnd(i + 1):
                if flow == 0 { roll(to: column) }
                keys[keys.count - 1] = nil
                simpleKeyAllowed = flow == 0
                advance(1)
                if depth > maximumDepth { return .tooDeep(line: line, column: column) }
            case UInt8(ascii: ":") where flow > 0 || isBlankOrEnd(i + 1):
                if let key = keys[keys.count - 1], key.line == line, key.index + 1024 >= i {
                    if flow == 0 { roll(to: key.column) }
                    keys[keys.count - 1] = nil
                    simpleKeyAllowed = false
                } else {
                    if flow == 0 { roll(to: column) }
                    simpleKeyAllowed = flow == 0
                }
                advance(1)
                if depth > maximumDepth { return .tooDeep(line: line, column: column) }
            case UInt8(ascii: "*"):
                return .alias(line: line, column: column + 1)
            case UInt8(ascii: "&"), UInt8(ascii: "!"):
                saveKey()
                simpleKeyAllowed = false
                advance(1)
                while i < bytes.count && !isBlankOrEnd(i) { advance(1) }
            case UInt8(ascii: "|") where flow == 0, UInt8(ascii: ">") where flow == 0:
                keys[keys.count - 1] = nil
                blockScalar()
                simpleKeyAllowed = true
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                saveKey()
                simpleKeyAllowed = false
                guard quotedScalar() else { return nil }
            default:
                saveKey()
                let start = i
                guard let afterBreak = plainScalar() else { return nil }
                simpleKeyAllowed = afterBreak
                if i == start { advance(1) }
            }
        }
    }

    /// Collections open now, counted high: an indentation level counts twice (see the type's documentation), and
    /// so does a flow collection, because `[a: b]` holds a mapping that no bracket opens. Inside flow collections
    /// one more level is counted: the outermost may turn out to be the key of a block mapping (`[a]: b`) that
    /// only opens when the `:` comes.
    private var depth: Int { 2 * (indents.count + flow + (flow > 0 ? 1 : 0)) }

    private mutating func roll(to column: Int) {
        if (indents.last ?? -1) < column { indents.append(column) }
    }

    private mutating func unroll(to column: Int) {
        while let last = indents.last, last > column { indents.removeLast() }
    }

    private mutating func saveKey() {
        if simpleKeyAllowed { keys[keys.count - 1] = (line, column, i) }
    }

    // MARK: Scalars

    /// Skips a quoted scalar; false when the text ends inside it or a document marker interrupts it
    /// (libyaml refuses both).
    private mutating func quotedScalar() -> Bool {
        let quote = bytes[i]
        advance(1)
        while i < bytes.count {
            if column == 0 && isDocumentMarker() { return false }
            let c = bytes[i]
            if let length = breakLength(at: i) {
                newLine(length)
            } else if quote == UInt8(ascii: "'") && c == quote {
                if i + 1 < bytes.count && bytes[i + 1] == quote { advance(2) } else {
                    advance(1)
                    return true
                }
            } else if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") {
                advance(1)
                if i < bytes.count {
                    if let length = breakLength(at: i) { newLine(length) } else { advance(1) }
                }
            } else if quote == UInt8(ascii: "\"") && c == quote {
                advance(1)
                return true
            } else {
                advance(1)
            }
        }
        return false
    }

    /// Skips a plain scalar as libyaml reads it, over lines where it continues. Returns whether it ended after
    /// a line break (a simple key may start next), or nil for text libyaml refuses.
    private mutating func plainScalar() -> Bool? {
        let indent = (indents.last ?? -1) + 1
        var afterBreak = false
        while true {
            if i >= bytes.count || (column == 0 && isDocumentMarker()) || bytes[i] == UInt8(ascii: "#") { break }
            while i < bytes.count && !isBlankOrEnd(i) {
                let c = bytes[i]
                let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
                if flow > 0 && c == UInt8(ascii: ":") && Self.flowIndicators.contains(next) { return nil }
                if (c == UInt8(ascii: ":") && isBlankOrEnd(i + 1)) || (flow > 0 && Self.flowEnders.contains(c)) {
                    return afterBreak
                }
                advance(1)
            }
            guard i < bytes.count, isBlank(i) || breakLength(at: i) != nil else { break }
            afterBreak = false
            while i < bytes.count {
                if isBlank(i) {
                    advance(1)
                } else if let length = breakLength(at: i) {
                    newLine(length)
                    afterBreak = true
                } else {
                    break
                }
            }
            if flow == 0 && column < indent { break }
        }
        return afterBreak
    }

    /// Skips a literal (`|`) or folded (`>`) block scalar: its header and every content line.
    private mutating func blockScalar() {
        advance(1)
        var explicit = 0
        for _ in 0..<2 where i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                advance(1)
            } else if c >= UInt8(ascii: "1") && c <= UInt8(ascii: "9") {
                explicit = Int(c - UInt8(ascii: "0"))
                advance(1)
            }
        }
        while i < bytes.count && isBlank(i) { advance(1) }
        if i < bytes.count && bytes[i] == UInt8(ascii: "#") { skipToLineEnd() }
        guard i < bytes.count, let length = breakLength(at: i) else { return }  // libyaml refuses anything else here
        newLine(length)
        let parent = indents.last ?? -1
        var indent = explicit > 0 ? (parent >= 0 ? parent + explicit : explicit) : 0
        if indent == 0 {
            // Leading empty lines and the first content line decide the indentation.
            var widest = 0
            while i < bytes.count {
                while i < bytes.count && bytes[i] == UInt8(ascii: " ") { advance(1) }
                widest = max(widest, column)
                guard let length = breakLength(at: i) else { break }
                newLine(length)
            }
            indent = max(widest, parent + 1, 1)
        } else {
            eatBlockScalarBreaks(indent)
        }
        while i < bytes.count && column == indent {
            while i < bytes.count && breakLength(at: i) == nil { advance(1) }
            if let length = breakLength(at: i) { newLine(length) }
            eatBlockScalarBreaks(indent)
        }
    }

    /// Spaces up to `indent`, and empty lines.
    private mutating func eatBlockScalarBreaks(_ indent: Int) {
        while i < bytes.count {
            while i < bytes.count && column < indent && bytes[i] == UInt8(ascii: " ") { advance(1) }
            guard let length = breakLength(at: i) else { return }
            newLine(length)
        }
    }

    // MARK: Characters

    private static let flowIndicators: Set<UInt8> = Set(",?[]{}".utf8)
    private static let flowEnders: Set<UInt8> = Set(",[]{}".utf8)

    /// Spaces, tabs, comments and line breaks up to the next token.
    private mutating func skipToToken() {
        while i < bytes.count {
            let c = bytes[i]
            if column == 0 && c == 0xEF && i + 2 < bytes.count && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF {
                advance(3)  // libyaml counts the byte order mark as a column
            } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                advance(1)
            } else if c == UInt8(ascii: "#") {
                skipToLineEnd()
            } else if let length = breakLength(at: i) {
                newLine(length)
                if flow == 0 { simpleKeyAllowed = true }
            } else {
                return
            }
        }
    }

    private mutating func skipToLineEnd() {
        while i < bytes.count && breakLength(at: i) == nil { advance(1) }
    }

    /// `---` or `...` followed by a blank, a break or the end.
    private func isDocumentMarker() -> Bool {
        guard i + 2 < bytes.count else { return false }
        let c = bytes[i]
        guard (c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) && bytes[i + 1] == c && bytes[i + 2] == c else { return false }
        return isBlankOrEnd(i + 3)
    }

    private func isBlank(_ index: Int) -> Bool {
        index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t"))
    }

    private func isBlankOrEnd(_ index: Int) -> Bool {
        index >= bytes.count || isBlank(index) || breakLength(at: index) != nil
    }

    /// The length of the line break at `index` (CR LF, LF, CR, NEL, LS, PS as libyaml reads them), or nil.
    private func breakLength(at index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0x0A: return 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : nil
        case 0xE2:
            guard index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 else { return nil }
            return 3
        default: return nil
        }
    }

    private mutating func newLine(_ length: Int) {
        i += length
        line += 1
        column = 0
    }

    /// Moves over `count` bytes of one line; the column counts characters, not UTF-8 continuation bytes.
    private mutating func advance(_ count: Int) {
        for _ in 0..<count where i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
    }
}

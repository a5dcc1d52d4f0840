/// A template compiled to literal bytes and typed slots (`MustacheCompiler`), with its partials inlined: rendering
/// appends to one byte buffer and looks up only the names the template prints.
///
/// It renders what swift-mustache renders (`MustacheTemplate+Render.swift`, `Sequence.swift`, `Context.swift`):
/// names are looked up from the innermost section outwards by their first part, the rest strictly inside what was
/// found (`.name` only in the innermost, `.` is the innermost itself); a list repeats a section per item, a flag
/// shows it or not without entering a scope, text and objects (even empty) show it once as the innermost value,
/// absence hides it; an inverted section shows for absence, `false` and the empty list (which becomes the innermost
/// value). A flag prints `true`/`false`. Inside a standalone partial with indentation, each piece that follows a
/// line end within the same section pass or partial gets the indentation. A variable that names a list or an object
/// (which swift-mustache prints with `String(describing:)`) makes `render` answer nil: the caller then renders
/// with swift-mustache.
public struct CompiledTemplate: Sendable {
    /// A name as the template wrote it, split once.
    struct Path: Sendable, Equatable {
        /// The dot-separated parts, empty parts dropped (`.`, like an empty name, is the innermost value).
        let names: [String]
        /// A name that starts with `.` is looked up only in the innermost value.
        let anchored: Bool

        init(_ name: String) {
            self.names = name.split(separator: ".").map(String.init)
            self.anchored = name.first == "."
        }
    }

    /// One step of a block.
    enum Op: Sendable {
        case literal([UInt8])
        case value(Path, escaped: Bool)
        case section(Path, Block)
        case invertedSection(Path, Block)
        /// A partial that indents its lines (or any partial inside one): a block of its own.
        case block(Block)
        /// A variable printed in advance (`folding`), valid while no section value is in scope.
        case printed([UInt8], Path, escaped: Bool)
    }

    /// The steps of one template pass (the template, a section's body, a partial).
    struct Block: Sendable {
        var ops: [Op] = []
        /// Put before each non-empty piece that follows a line end in this pass; empty for none.
        var indentation: [UInt8] = []
    }

    /// A variable named a list or an object, which only swift-mustache prints.
    struct Unrenderable: Error {}

    let root: Block
    /// The bytes of the literal text, a hint for the buffer's capacity.
    let literalBytes: Int

    /// The template rendered for `context`, or nil when only swift-mustache can (see the type's comment).
    public func render(_ context: TemplateValue) -> String? {
        var run = Run(context: context, capacity: literalBytes + literalBytes / 2 + 256)
        do {
            try run.block(root)
        } catch {
            return nil
        }
        return String(decoding: run.out, as: UTF8.self)
    }

    /// One rendering: the output and the stack of values sections entered.
    private struct Run {
        var out: [UInt8] = []
        var stack: [TemplateValue]

        init(context: TemplateValue, capacity: Int) {
            out.reserveCapacity(capacity)
            stack = [context]
            stack.reserveCapacity(8)
        }

        mutating func block(_ block: Block) throws(Unrenderable) {
            if block.indentation.isEmpty {
                for op in block.ops { try self.op(op) }
                return
            }
            // `string.last == "\n"` over this pass's output, per Character: "\r\n" is not "\n".
            let start = out.count
            for op in block.ops {
                let before = out.count
                try self.op(op)
                if out.count > before, before > start, out[before - 1] == 10, !(before - 2 >= start && out[before - 2] == 13) {
                    out.insert(contentsOf: block.indentation, at: before)
                }
            }
        }

        mutating func op(_ op: Op) throws(Unrenderable) {
            switch op {
            case .literal(let bytes):
                out.append(contentsOf: bytes)
            case .value(let path, let escaped):
                try value(path, escaped: escaped)
            case .printed(let bytes, let path, let escaped):
                if stack.count == 1 { out.append(contentsOf: bytes) } else { try value(path, escaped: escaped) }
            case .section(let path, let body):
                guard let value = lookup(path) else { return }
                switch value {
                case .list(let items):
                    for item in items {
                        stack.append(item)
                        try block(body)
                        stack.removeLast()
                    }
                case .flag(let flag):
                    if flag { try block(body) }
                case .text, .object:
                    stack.append(value)
                    try block(body)
                    stack.removeLast()
                }
            case .invertedSection(let path, let body):
                switch lookup(path) {
                case nil, .flag(false)?:
                    try block(body)
                case .list(let items)? where items.isEmpty:
                    stack.append(.list(items))
                    try block(body)
                    stack.removeLast()
                default:
                    break
                }
            case .block(let inner):
                try block(inner)
            }
        }

        mutating func value(_ path: Path, escaped: Bool) throws(Unrenderable) {
            switch lookup(path) {
            case .text(let text)?:
                if escaped { HTMLEscaping.append(text, to: &out) } else { out.append(contentsOf: text.utf8) }
            case .flag(let flag)?:
                out.append(contentsOf: (flag ? "true" : "false").utf8)
            case .list?, .object?:
                throw Unrenderable()
            case nil:
                break
            }
        }

        /// `getChild`: the first part from the innermost value that has it outwards, the rest inside what was found.
        func lookup(_ path: Path) -> TemplateValue? {
            let names = path.names
            guard let first = names.first else { return stack[stack.count - 1] }
            var found: TemplateValue?
            if path.anchored {
                found = stack[stack.count - 1].field(first)
            } else {
                var index = stack.count - 1
                while index >= 0 {
                    if let value = stack[index].field(first) {
                        found = value
                        break
                    }
                    index -= 1
                }
            }
            guard var value = found else { return nil }
            var index = 1
            while index < names.count {
                guard let next = value.field(names[index]) else { return nil }
                value = next
                index += 1
            }
            return value
        }
    }
}

extension CompiledTemplate.Block {
    /// Appends literal text, joined to literal text before it unless the block indents (there every piece counts).
    mutating func append(literal bytes: [UInt8]) {
        if indentation.isEmpty, case .literal(var previous)? = ops.last {
            ops.removeLast()
            previous += bytes
            ops.append(.literal(previous))
        } else {
            ops.append(.literal(bytes))
        }
    }
}

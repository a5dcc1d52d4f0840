/// Compiles the templates of a store (`CompiledTemplate`): parses each source once (`MustacheSyntax`) and inlines
/// partials by name, each with the content type and indentation swift-mustache gives it.
///
/// As in swift-mustache (`Context.withPartial`, `MustacheTemplate+Render.swift`): every template and every partial
/// starts as HTML (escaping `{{name}}`) until a `CONTENT_TYPE` pragma, which holds for the rest of its pass and the
/// sections inside; a partial never inherits the includer's content type; a partial that is not in the store renders
/// nothing; a standalone partial adds its indentation to the includer's. A partial that includes itself (directly or
/// not) cannot be inlined: that template is left to swift-mustache, like one with an unsupported feature.
struct MustacheCompiler {
    /// The sources by template name, exactly as registered with swift-mustache.
    let sources: [String: String]
    private var parsed: [String: Result<[MustacheSyntax.Node], MustacheSyntax.Unsupported>] = [:]

    /// Inlining deeper than this is refused (swift-mustache would recurse as deep as the data lets it).
    static let maximumDepth = 32
    /// More steps than this is refused (a partial included in many places of many partials).
    static let maximumOps = 1_000_000

    init(sources: [String: String]) {
        self.sources = sources
        for (name, source) in sources {
            parsed[name] = Result { () throws(MustacheSyntax.Unsupported) in try MustacheSyntax.parse(source) }
        }
    }

    /// Every template, compiled or with the reason it is not.
    func compileAll() -> (compiled: [String: CompiledTemplate], notCompiled: [String: String]) {
        var compiled: [String: CompiledTemplate] = [:]
        var notCompiled: [String: String] = [:]
        for name in sources.keys {
            switch compile(name) {
            case .success(let template): compiled[name] = template
            case .failure(let reason): notCompiled[name] = reason.description
            }
        }
        return (compiled, notCompiled)
    }

    /// One template with its partials inlined.
    func compile(_ name: String) -> Result<CompiledTemplate, MustacheSyntax.Unsupported> {
        Result { () throws(MustacheSyntax.Unsupported) in
            var linker = Linker(parsed: parsed)
            let root = try linker.block(try linker.nodes(of: name), indentation: "", html: true, partials: [name])
            return CompiledTemplate(root: root, literalBytes: linker.literalBytes)
        }
    }

    /// Turns parsed nodes into blocks, inlining partials.
    private struct Linker {
        let parsed: [String: Result<[MustacheSyntax.Node], MustacheSyntax.Unsupported>]
        var ops = 0
        var literalBytes = 0

        func nodes(of name: String) throws(MustacheSyntax.Unsupported) -> [MustacheSyntax.Node] {
            switch parsed[name] {
            case .success(let nodes)?: return nodes
            case .failure(let reason)?: throw MustacheSyntax.Unsupported(reason: "\(name): \(reason.reason)")
            case nil: return []
            }
        }

        /// `nodes` as one pass: `indentation` is the pass's (empty for none), `html` its starting content type,
        /// `partials` the partials being inlined around it.
        mutating func block(_ nodes: [MustacheSyntax.Node], indentation: String, html startsAsHTML: Bool, partials: [String]) throws(MustacheSyntax.Unsupported) -> CompiledTemplate.Block {
            var block = CompiledTemplate.Block(indentation: Array(indentation.utf8))
            try append(nodes, to: &block, html: startsAsHTML, partials: partials)
            return block
        }

        /// Appends `nodes` to `block`; a pass without indentation takes the steps of non-indenting partials into
        /// its own, and adjacent text becomes one literal.
        private mutating func append(_ nodes: [MustacheSyntax.Node], to block: inout CompiledTemplate.Block, html startsAsHTML: Bool, partials: [String]) throws(MustacheSyntax.Unsupported) {
            var html = startsAsHTML
            let indenting = !block.indentation.isEmpty
            for node in nodes {
                ops += 1
                if ops > MustacheCompiler.maximumOps { throw MustacheSyntax.Unsupported(reason: "more than \(MustacheCompiler.maximumOps) steps after inlining partials") }
                switch node {
                case .text(let text):
                    literalBytes += text.utf8.count
                    block.append(literal: Array(text.utf8))
                case .variable(let name, let escaped):
                    block.ops.append(.value(CompiledTemplate.Path(name), escaped: escaped && html))
                case .section(let name, let body):
                    block.ops.append(.section(CompiledTemplate.Path(name), try self.block(body, indentation: String(decoding: block.indentation, as: UTF8.self), html: html, partials: partials)))
                case .invertedSection(let name, let body):
                    block.ops.append(.invertedSection(CompiledTemplate.Path(name), try self.block(body, indentation: String(decoding: block.indentation, as: UTF8.self), html: html, partials: partials)))
                case .partial(let name, let own):
                    guard !partials.contains(name) else {
                        throw MustacheSyntax.Unsupported(reason: "partial \(name) includes itself (\((partials + [name]).joined(separator: " > ")))")
                    }
                    guard partials.count < MustacheCompiler.maximumDepth else {
                        throw MustacheSyntax.Unsupported(reason: "partials nested more than \(MustacheCompiler.maximumDepth) deep")
                    }
                    let inner = try self.nodes(of: name)
                    let indentation = String(decoding: block.indentation, as: UTF8.self) + (own ?? "")
                    if indentation.isEmpty && !indenting {
                        try append(inner, to: &block, html: true, partials: partials + [name])
                    } else {
                        block.ops.append(.block(try self.block(inner, indentation: indentation, html: true, partials: partials + [name])))
                    }
                case .contentType(let isHTML):
                    html = isHTML
                }
            }
        }
    }
}

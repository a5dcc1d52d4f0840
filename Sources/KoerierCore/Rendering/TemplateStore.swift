import Crypto
import Foundation
import Mustache

/// The loaded template tree: every `*.mustache` file under the template root, compiled once (at start and on reload).
public struct TemplateStore: Sendable {
    public let root: String
    /// The templates as swift-mustache compiled them, by name (path under the root without `.mustache`): the
    /// reference, and the renderer of the templates that are not in `compiled`.
    public let library: MustacheLibrary
    /// The templates compiled to literal text and typed slots, partials inlined (`MustacheCompiler`), by name.
    public let compiled: [String: CompiledTemplate]
    /// Why a template is not in `compiled` (a feature such as a transform or inheritance), by name; these
    /// render with swift-mustache.
    public let notCompiled: [String: String]
    /// The raw source of each template, for hashing and linting.
    public let sources: [String: String]

    /// Why the template tree could not be loaded.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// Loads every template; text templates (all but `*.html`) get no HTML escaping.
    /// (The pragma goes on a line of its own, which Mustache drops as a standalone tag; line numbers refer to the file.)
    public init(root: String) throws(LoadError) {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(file: root, reason: "the template folder does not exist")
        }
        var library = MustacheLibrary()
        var sources: [String: String] = [:]
        var registered: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".mustache") { paths.append(path) }
        }
        for path in paths.sorted() {
            let name = String(path.dropLast(".mustache".count))
            guard let data = FileManager.default.contents(atPath: root + "/" + path) else {
                throw LoadError(file: root + "/" + path, reason: "cannot be read")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw LoadError(file: root + "/" + path, reason: "is not UTF-8 text")
            }
            let source = Self.mustacheSource(name: name, text: text)
            do {
                library.register(try MustacheTemplate(string: source), named: name)
            } catch {
                throw LoadError(file: root + "/" + path, reason: "does not compile: \(Self.describe(error, source: source))")
            }
            sources[name] = text
            registered[name] = source
        }
        self.library = library
        self.sources = sources
        (self.compiled, self.notCompiled) = MustacheCompiler(sources: registered).compileAll()
    }

    /// `name` rendered by swift-mustache for `context` (a `TemplateValue.anyValue`): the reference the compiled
    /// templates match, and the renderer of those that are not compiled. Nil when there is no such template.
    public func renderWithMustache(_ name: String, _ context: Any) -> String? {
        library.render(context, withTemplate: name)
    }

    /// The source swift-mustache compiles for a template file: text templates (all but `*.html`) open with the
    /// `TEXT` content type, so they escape nothing.
    static func mustacheSource(name: String, text: String) -> String {
        name.hasSuffix(".html") ? text : "{{% CONTENT_TYPE: TEXT }}\n" + text
    }

    private static func describe(_ error: any Error, source: String) -> String {
        if let parser = error as? MustacheTemplate.ParserError {
            return "line \(parser.context.lineNumber), column \(parser.context.columnNumber): \(parser.error)"
        }
        return "\(error)"
    }

    /// Hex SHA-256 over the sources of `names`, in order, and of every partial they include (directly or through
    /// other partials, each once, by name): which exact wording went out, a changed footer included.
    public func sha256(of names: [String]) -> String {
        var hasher = SHA256()
        for name in names + partials(of: names) {
            hasher.update(data: Array(name.utf8))
            hasher.update(data: [0])
            hasher.update(data: Array((sources[name] ?? "").utf8))
            hasher.update(data: [0])
        }
        return Hex.encode(hasher.finalize())
    }

    /// The partials `names` include, transitively, sorted by name.
    func partials(of names: [String]) -> [String] {
        var found = Set<String>()
        var queue = names
        while let name = queue.popLast() {
            for partial in Self.partialReferences(in: sources[name] ?? "") where !found.contains(partial) && !names.contains(partial) {
                found.insert(partial)
                queue.append(partial)
            }
        }
        return found.sorted()
    }

    /// The names in `{{> name}}` tags of a template source.
    static func partialReferences(in source: String) -> [String] {
        var names: [String] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{>") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let name = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }
}

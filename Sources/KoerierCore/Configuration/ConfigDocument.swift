import Foundation
import Yams

/// Reads a configuration file's YAML within fixed bounds, before and while it is parsed.
///
/// - size: at most `maximumBytes`, checked with `fstat` before anything is read, and only regular files;
/// - nesting: at most `maximumDepth` collections inside each other, measured on the text by
///   `YAMLShapeScanner` before Yams builds its (recursive) node tree, and again on the tree;
/// - aliases: refused (`*name`); a configuration never needs them, and they let a few lines expand to
///   gigabytes. The node tree is also counted, up to `maximumNodes`, before it is turned into values.
enum ConfigDocument {
    /// 1 MiB: a configuration is a few kilobytes.
    static let maximumBytes = 1 << 20
    /// Collections inside each other; a configuration nests five deep.
    static let maximumDepth = 64
    /// Values (scalars and collections) in the whole document.
    static let maximumNodes = 100_000

    /// The parsed YAML of the file at `path` (`file` as the user wrote it, for messages).
    static func read(path: String, file: String) throws(ConfigError) -> Any? {
        let bytes = try contents(path: path, file: file)
        return try parse(bytes, file: file)
    }

    /// The bytes of a regular file of at most `maximumBytes`.
    static func contents(path: String, file: String) throws(ConfigError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw ConfigError(file: file, key: "", reason: "cannot be read (does it exist?)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigError(file: file, key: "", reason: "is not a regular file")
        }
        guard status.st_size <= off_t(maximumBytes) else {
            throw ConfigError(file: file, key: "", reason: "is \(status.st_size) bytes; a configuration file may be at most \(maximumBytes) bytes (1 MiB)")
        }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw ConfigError(file: file, key: "", reason: "cannot be read (error \(errno))") }
            if got == 0 { break }
            count += got
        }
        guard count <= maximumBytes else {
            throw ConfigError(file: file, key: "", reason: "grew past \(maximumBytes) bytes while it was read; a configuration file may be at most 1 MiB")
        }
        return Array(bytes[..<count])
    }

    /// Parses `bytes` as one YAML document within the bounds.
    static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> Any? {
        guard bytes.count <= maximumBytes else {
            throw ConfigError(file: file, key: "", reason: "is \(bytes.count) bytes; a configuration file may be at most \(maximumBytes) bytes (1 MiB)")
        }
        switch YAMLShapeScanner.scan(bytes, maximumDepth: maximumDepth) {
        case .tooDeep(let line, let column)?:
            throw ConfigError(file: file, key: "", reason: "nests more than \(maximumDepth) levels deep (line \(line), column \(column)); a configuration needs about five")
        case .alias(let line, let column)?:
            throw ConfigError(file: file, key: "", reason: "uses a YAML alias (*name) at line \(line), column \(column); aliases are not allowed in a configuration: write the value out")
        case nil:
            break
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ConfigError(file: file, key: "", reason: "is not valid YAML: \(error)")
        }
        guard let node else { return nil }
        var budget = maximumNodes
        if let problem = check(node, depth: 1, budget: &budget) {
            throw ConfigError(file: file, key: "", reason: problem)
        }
        return node.any
    }

    /// The nesting depth of the tree Yams builds from `text` (0 for a scalar), or nil when it is not YAML.
    /// For comparing `YAMLShapeScanner` with the parser on shallow texts; it recurses, so never give it deep ones.
    static func treeDepth(_ text: String) -> Int? {
        let parsed: Node?
        do { parsed = try Yams.compose(yaml: text) } catch { return nil }
        guard let node = parsed else { return 0 }
        func depth(_ node: Node) -> Int {
            switch node {
            case .scalar: return 0
            case .sequence(let sequence): return 1 + (sequence.map(depth).max() ?? 0)
            case .mapping(let mapping): return 1 + (mapping.map { max(depth($0.key), depth($0.value)) }.max() ?? 0)
            }
        }
        return depth(node)
    }

    /// Counts the nodes of `node` against `budget` and measures its depth; a reason when either is exceeded.
    /// Stops as soon as the budget runs out, so a tree that expands without end costs little.
    private static func check(_ node: Node, depth: Int, budget: inout Int) -> String? {
        budget -= 1
        guard budget >= 0 else { return "holds more than \(maximumNodes) values; a configuration holds a few hundred" }
        guard depth <= maximumDepth else { return "nests more than \(maximumDepth) levels deep; a configuration needs about five" }
        switch node {
        case .scalar:
            return nil
        case .sequence(let sequence):
            for child in sequence {
                if let problem = check(child, depth: depth + 1, budget: &budget) { return problem }
            }
        case .mapping(let mapping):
            for (key, value) in mapping {
                // Yams turns keys into strings with a force-unwrap: a list or mapping as a key (`? [a]`) would trap.
                guard case .scalar = key else {
                    let place = key.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
                    return "uses a list or mapping as a key\(place); keys are plain names such as spool or retry"
                }
                if let problem = check(key, depth: depth + 1, budget: &budget) { return problem }
                if let problem = check(value, depth: depth + 1, budget: &budget) { return problem }
            }
        }
        return nil
    }
}

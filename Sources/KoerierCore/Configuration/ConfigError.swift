/// Everything wrong with a configuration: one problem per key path, in the order they were found.
///
/// `file`, `key` and `reason` are those of the first problem; `description` prints one line per problem,
/// `file: key.path: reason`. Reasons never contain a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One thing wrong with one setting.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The configuration file.
        public let file: String
        /// The key path, such as `email.smtp.url` or `sms.providers[1].kind`; empty for the file as a whole.
        public let key: String
        /// What is wrong and how to fix it.
        public let reason: String

        /// A problem with `key` in `file`.
        public init(file: String, key: String, reason: String) {
            self.file = file
            self.key = key
            self.reason = reason
        }

        /// `file: key.path: reason` (or `file: reason` for the file as a whole).
        public var description: String { key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)" }
    }

    /// Every problem found, at least one.
    public let problems: [Problem]

    /// A configuration error with a single problem.
    public init(file: String, key: String, reason: String) {
        self.problems = [Problem(file: file, key: key, reason: reason)]
    }

    /// A configuration error listing `problems`; an empty list is not allowed (a generic problem is put in).
    public init(problems: [Problem]) {
        self.problems = problems.isEmpty ? [Problem(file: "", key: "", reason: "is not valid")] : problems
    }

    /// The file of the first problem.
    public var file: String { problems[0].file }
    /// The key path of the first problem.
    public var key: String { problems[0].key }
    /// The reason of the first problem.
    public var reason: String { problems[0].reason }

    /// One line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

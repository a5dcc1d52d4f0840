/// The problems found while one configuration file is read, shared by every `ConfigReader` of that read.
///
/// A reader that meets a bad value records it here and carries on with the default, so a single load
/// reports every bad key rather than only the first. Used from one thread during one load.
final class ConfigProblems {
    private(set) var all: [ConfigError.Problem] = []

    /// Records every problem of `error`, skipping exact repeats.
    func record(_ error: ConfigError) {
        for problem in error.problems where !all.contains(problem) { all.append(problem) }
    }

    /// True when nothing was recorded.
    var isEmpty: Bool { all.isEmpty }

    /// The recorded problems as one error (nil when there are none).
    var error: ConfigError? { all.isEmpty ? nil : ConfigError(problems: all) }
}

/// What every channel of one benchmark invocation shares.
struct BenchSettings {
    /// Actions (messages) per run.
    var count: Int
    var connections: Int
    var concurrency: Int
    /// Timed runs of each side.
    var runs: Int
    var archive: Bool
    var keep: Bool
    /// The template root, absolute.
    var templates: String
    /// `koerier` next to this executable.
    var koerier: String
    /// This executable, for the baseline subcommands and the HTTP sink.
    var bench: String
}

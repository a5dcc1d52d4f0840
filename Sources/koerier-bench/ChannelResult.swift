/// One channel's measurements: the timed runs of both sides, the ratio per pair, and the traced counts.
struct ChannelResult {
    /// Long title for the text report (names the sink and port).
    let title: String
    /// Short label for the Markdown table.
    let label: String
    /// The ratio koerier/baseline that counts as done.
    let target: Double
    let koerier: [RunSample]
    let baseline: [RunSample]
    /// koerier msgs/s divided by the baseline's msgs/s of the same pair of runs.
    let ratios: [Double]
    /// From the one extra, untimed run of each side under strace; a failure says why there are no counts.
    let koerierSyscalls: Result<SyscallCounts, BenchError>
    let baselineSyscalls: Result<SyscallCounts, BenchError>
    /// Messages per run.
    let count: Int
}

import Foundation

/// The plain-text report of one channel: a row per metric, median [min-max] over the timed runs of each side.
enum TextReport {
    static func render(_ result: ChannelResult, runs: Int) -> String {
        var lines = ["", "\(result.title): median [min-max] of \(runs) run\(runs == 1 ? "" : "s") each, koerier and baseline alternating"]
        lines.append(pad("") + pad("koerier run --once", 28) + "raw libcurl baseline")
        func row(_ name: String, _ format: String, _ metric: (RunSample) -> Double) {
            lines.append(pad(name) + pad(spread(result.koerier.map(metric), format), 28) + spread(result.baseline.map(metric), format))
        }
        row("msgs/s", "%.0f") { $0.messagesPerSecond }
        row("CPU user ms/msg", "%.3f") { $0.userMsPerMessage }
        row("CPU sys ms/msg", "%.3f") { $0.systemMsPerMessage }
        row("context switches/msg", "%.2f") { $0.contextSwitchesPerMessage }
        row("peak memory MiB", "%.1f") { $0.peakMiB }
        row("wall s", "%.2f") { $0.wallSeconds }
        func traced(_ name: String, _ format: String, _ metric: (SyscallCounts) -> Int) {
            lines.append(pad(name) + pad(perMessage(result.koerierSyscalls, result.count, format, metric), 28)
                + perMessage(result.baselineSyscalls, result.count, format, metric))
        }
        traced("syscalls/msg (strace)", "%.1f") { $0.total }
        traced("fsyncs/msg (strace)", "%.3f") { $0.syncs }
        if let ratio = Spread(result.ratios) {
            lines.append(pad("ratio koerier/baseline") + spread(result.ratios, "%.2f")
                + String(format: " (target >= %.1f: %@)", result.target, ratio.median >= result.target ? "met" : "NOT met"))
        }
        switch (result.koerierSyscalls, result.baselineSyscalls) {
        case (.failure(let error), .failure) where error.description == Strace.missing:
            lines.append("(\(Strace.missing); no syscall or fsync counts)")
        default:
            lines.append("(syscalls: all calls of all threads; fsyncs: fsync, fdatasync, sync_file_range, syncfs; "
                + "from one extra run of each side under strace -f -c, not used for timing)")
        }
        return lines.joined(separator: "\n")
    }

    /// "median [min-max]", or the one value for a single run.
    static func spread(_ samples: [Double], _ format: String) -> String {
        guard let spread = Spread(samples) else { return "-" }
        let median = String(format: format, spread.median)
        return samples.count == 1 ? median : "\(median) [\(String(format: format, spread.min))-\(String(format: format, spread.max))]"
    }

    static func perMessage(_ counts: Result<SyscallCounts, BenchError>, _ messages: Int, _ format: String, _ metric: (SyscallCounts) -> Int) -> String {
        guard case .success(let counts) = counts else { return "-" }
        return String(format: format, Double(metric(counts)) / Double(messages))
    }

    private static func pad(_ text: String, _ width: Int = 24) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

import Foundation

/// The result as a Markdown table (a row per channel and side) plus a line naming the machine, the date, the commit
/// and the settings, to paste into the README's "Measured" section as it is.
enum MarkdownReport {
    static func render(_ results: [ChannelResult], settings: BenchSettings, channel: String, machine: MachineDescription) -> String {
        let runs = settings.runs
        var lines = [
            "| \(grouped(Double(settings.count))) messages a run, median [min-max] of \(runs) run\(runs == 1 ? "" : "s") | msgs/s | CPU user ms/msg | CPU sys ms/msg "
                + "| syscalls/msg | fsyncs/msg | context switches/msg | peak MiB | ratio to baseline (target) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for result in results {
            let ratio = TextReport.spread(result.ratios, "%.2f") + String(format: " (%.1f)", result.target)
            lines.append(row(result.label + ": koerier", result.koerier, result.koerierSyscalls, result.count, ratio))
            lines.append(row(result.label + ": raw libcurl baseline", result.baseline, result.baselineSyscalls, result.count, "-"))
        }
        var command = "koerier-bench run --channel \(channel) --count \(settings.count) --connections \(settings.connections) "
            + "--concurrency \(settings.concurrency) --runs \(runs)"
        if settings.archive { command += " --archive" }
        var cpu = "\(machine.cores) core\(machine.cores == 1 ? "" : "s")"
        if let model = machine.cpuModel { cpu += ", \(model)" }
        var place = "`\(command)` on \(machine.system) (\(cpu))"
        if let load = machine.loadAverage { place += ", load average \(load) at the start" }
        place += ", \(machine.date)"
        if let commit = machine.commit { place += ", commit \(commit)" }
        lines.append("")
        lines.append(place + ". Release build; the sinks run on the same cores. Median [min-max] of \(runs) run\(runs == 1 ? "" : "s") of each side, "
            + "koerier and the raw libcurl baseline alternating, a fresh spool for every run; both are child processes "
            + "(wall clock from start to exit, CPU, context switches and peak memory from `wait4`). "
            + syscallNote(results))
        return lines.joined(separator: "\n")
    }

    private static func row(_ label: String, _ samples: [RunSample], _ syscalls: Result<SyscallCounts, BenchError>, _ count: Int, _ ratio: String) -> String {
        let rate: String = {
            guard let spread = Spread(samples.map(\.messagesPerSecond)) else { return "-" }
            let median = grouped(spread.median)
            return samples.count == 1 ? median : "\(median) [\(grouped(spread.min))-\(grouped(spread.max))]"
        }()
        let cells = [
            label, rate,
            TextReport.spread(samples.map(\.userMsPerMessage), "%.3f"),
            TextReport.spread(samples.map(\.systemMsPerMessage), "%.3f"),
            TextReport.perMessage(syscalls, count, "%.1f") { $0.total },
            TextReport.perMessage(syscalls, count, "%.3f") { $0.syncs },
            TextReport.spread(samples.map(\.contextSwitchesPerMessage), "%.2f"),
            TextReport.spread(samples.map(\.peakMiB), "%.1f"),
            ratio,
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    private static func syscallNote(_ results: [ChannelResult]) -> String {
        let missing = results.contains { result in
            if case .failure(let error) = result.koerierSyscalls { return error.description == Strace.missing }
            return false
        }
        return missing
            ? "No syscall or fsync counts: \(Strace.missing)."
            : "Syscalls (all threads) and fsyncs (fsync, fdatasync, sync_file_range, syncfs) per message come from one extra, "
                + "untimed run of each side under `strace -f -c`."
    }

    /// A whole number with thousands separators: 18,382.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}

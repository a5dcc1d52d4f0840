import Foundation

/// One channel's benchmark against a sink that is already listening: `runs` pairs of timed runs, koerier then
/// the raw baseline, each pair on a fresh spool; then, when strace is there, one extra run of each side under
/// `strace -f -c` for the system-call counts (not timed). Both sides are child processes measured the same way:
/// wall clock from spawn to exit, user and system CPU, context switches and peak memory from wait4.
struct ChannelBench {
    /// The actions' channel: `email` or `sms`.
    let channel: String
    let title: String
    let label: String
    let target: Double
    /// The baseline's subcommand and options (after the executable).
    let baselineArguments: [String]
    let settings: BenchSettings
    /// A fresh folder with spool and configuration for this channel's sink.
    let makeWorkload: () throws -> Workload

    func run() throws -> ChannelResult {
        var koerier: [RunSample] = []
        var baseline: [RunSample] = []
        var ratios: [Double] = []
        for index in 1...settings.runs {
            let workload = try makeWorkload()
            defer { finish(workload) }
            try workload.addActions(count: settings.count, channel: channel)
            let drained = try checkedDrain(workload, try ChildProcess.run(settings.koerier, koerierArguments(workload), stderr: workload.root + "/koerier.log"))
            let sent = try checkedBaseline(workload, try ChildProcess.run(settings.bench, baselineArguments, stderr: workload.root + "/baseline.log"))
            koerier.append(RunSample(drained, messages: settings.count))
            baseline.append(RunSample(sent, messages: settings.count))
            ratios.append(koerier[koerier.count - 1].messagesPerSecond / baseline[baseline.count - 1].messagesPerSecond)
            progress(String(format: "%@ run %d/%d: koerier %.0f msgs/s, baseline %.0f msgs/s, ratio %.2f", channel, index, settings.runs,
                            koerier[koerier.count - 1].messagesPerSecond, baseline[baseline.count - 1].messagesPerSecond, ratios[ratios.count - 1]))
        }
        let (koerierSyscalls, baselineSyscalls) = try traced()
        return ChannelResult(title: title, label: label, target: target, koerier: koerier, baseline: baseline, ratios: ratios,
                             koerierSyscalls: koerierSyscalls, baselineSyscalls: baselineSyscalls, count: settings.count)
    }

    /// The extra run of each side under strace, on a fresh spool of its own.
    private func traced() throws -> (Result<SyscallCounts, BenchError>, Result<SyscallCounts, BenchError>) {
        guard Strace.path != nil else { return (.failure(BenchError(Strace.missing)), .failure(BenchError(Strace.missing))) }
        progress("\(channel): one more run of each side under strace -f -c for the system calls (not timed)")
        let workload = try makeWorkload()
        defer { finish(workload) }
        try workload.addActions(count: settings.count, channel: channel)
        let traced = try Strace.count(settings.koerier, koerierArguments(workload), summary: workload.root + "/strace-koerier.txt", stderr: workload.root + "/koerier.log")
        var koerier = traced.counts
        let sent = workload.count("sent")
        if traced.status != 0 || sent != settings.count {
            koerier = .failure(BenchError("koerier under strace exited \(traced.status) with \(sent) of \(settings.count) sent"))
        }
        var baseline = try Strace.count(settings.bench, baselineArguments, summary: workload.root + "/strace-baseline.txt", stderr: workload.root + "/baseline.log")
        if baseline.status != 0 { baseline.counts = .failure(BenchError("the baseline under strace exited \(baseline.status)")) }
        for case .failure(let error) in [koerier, baseline.counts] { progress("\(channel): \(error)") }
        return (koerier, baseline.counts)
    }

    private func koerierArguments(_ workload: Workload) -> [String] {
        ["run", "--once", "--config", workload.config, "--log-level", "error"]
    }

    /// koerier must exit 0 with every action in sent/.
    private func checkedDrain(_ workload: Workload, _ usage: ChildUsage) throws -> ChildUsage {
        let sent = workload.count("sent")
        guard usage.status == 0, sent == settings.count else {
            throw BenchError("koerier exited \(usage.status) with \(sent) of \(settings.count) sent (see \(workload.root)/koerier.log; --keep keeps it)")
        }
        return usage
    }

    /// The baseline exits non-zero when any transfer failed.
    private func checkedBaseline(_ workload: Workload, _ usage: ChildUsage) throws -> ChildUsage {
        guard usage.status == 0 else {
            throw BenchError("the baseline exited \(usage.status) (see \(workload.root)/baseline.log; --keep keeps it)")
        }
        return usage
    }

    private func finish(_ workload: Workload) {
        if settings.keep { progress("kept \(workload.root)") } else { workload.remove() }
    }
}

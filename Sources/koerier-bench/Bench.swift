import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `koerier-bench`: drains N actions through the real `koerier run --once` into a loopback sink and compares
/// with a raw libcurl sender (same connection count, no spool, no journal) measured in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "koerier-bench",
        abstract: "Throughput, CPU and peak memory of koerier next to a raw libcurl baseline.",
        subcommands: [Run.self, Sink.self, Startup.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the benchmark (default).")

        @Option(help: "Actions per channel.") var count = 10_000
        @Option(help: "SMTP connections / HTTP connections per provider, for koerier and the baseline alike.") var connections = 4
        @Option(help: "Actions koerier works on at once (delivery.concurrency).") var concurrency = 64
        @Option(help: "email, sms or all.") var channel = "email"
        @Option(help: "The template root.") var templates = "Templates"
        @Flag(help: "Keep the benchmark folder for inspection.") var keep = false
        @Flag(help: "Turn the evidence archive on (archive:), to measure what keeping every message costs.") var archive = false

        func run() async throws {
            let binDir = (URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()).path
            let koerier = binDir + "/koerier"
            guard FileManager.default.isExecutableFile(atPath: koerier) else { throw BenchError("\(koerier) is missing: build it first") }
            let templateRoot = URL(fileURLWithPath: templates).standardizedFileURL.path
            print("koerier-bench: \(count) actions per channel, \(connections) connections, concurrency \(concurrency), \(ProcessInfo.processInfo.activeProcessorCount) cores, archive \(archive ? "on" : "off")")
            if channel == "email" || channel == "all" { try await email(koerier: koerier, templates: templateRoot) }
            if channel == "sms" || channel == "all" { try await sms(koerier: koerier, binDir: binDir, templates: templateRoot) }
        }

        private func email(koerier: String, templates: String) async throws {
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/smtp-sink") else {
                throw BenchError("/usr/sbin/smtp-sink is missing: apt-get install postfix")
            }
            let port = try freePort()
            let sinkArgs = (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(port)", "1024"]
            let sink = try ChildProcess.spawn("/usr/sbin/smtp-sink", sinkArgs, stdout: "/dev/null", stderr: "/dev/null")
            defer { ChildProcess.terminate(sink) }
            try waitForPort(port)
            let workload = try Workload.make(templates: templates, smtpPort: port, smsPort: nil, connections: connections, concurrency: concurrency, archive: archive)
            let usage = try drain(koerier, workload, channel: "email")
            let rssBefore = selfMaxRSSKiB()
            let (seconds, cpu) = try await Baseline.smtp(port: port, count: count, connections: connections, message: Baseline.sampleMessage())
            report(title: "email via SMTP (smtp-sink on 127.0.0.1:\(port))", usage: usage, baseline: (seconds, cpu, max(rssBefore, selfMaxRSSKiB())), target: 0.6)
        }

        private func sms(koerier: String, binDir: String, templates: String) async throws {
            let port = try freePort()
            let sink = try ChildProcess.spawn(binDir + "/koerier-bench", ["sink", "--port", "\(port)"], stdout: "/dev/null", stderr: "/dev/null")
            defer { ChildProcess.terminate(sink) }
            try waitForPort(port)
            setenv("KOERIER_BENCH_TOKEN", "bench-token", 1)
            let workload = try Workload.make(templates: templates, smtpPort: nil, smsPort: port, connections: connections, concurrency: concurrency, archive: archive)
            let usage = try drain(koerier, workload, channel: "sms")
            let (seconds, cpu) = try await Baseline.http(port: port, count: count, connections: connections)
            report(title: "SMS via HTTP (MessageBird-format sink on 127.0.0.1:\(port))", usage: usage, baseline: (seconds, cpu, selfMaxRSSKiB()), target: 0.4)
        }

        /// Fills the spool with `count` actions and measures `koerier run --once` draining it; all must end in sent/.
        private func drain(_ koerier: String, _ workload: Workload, channel: String) throws -> ChildUsage {
            defer { if !keep { workload.remove() } }
            try workload.addActions(count: count, channel: channel)
            let usage = try ChildProcess.run(koerier, ["run", "--once", "--config", workload.config, "--log-level", "error"], stderr: workload.root + "/koerier.log")
            let sent = workload.count("sent")
            guard usage.status == 0, sent == count else {
                throw BenchError("koerier exited \(usage.status) with \(sent) of \(count) sent (see \(workload.root)/koerier.log; --keep keeps it)")
            }
            return usage
        }

        private func report(title: String, usage: ChildUsage, baseline: (Double, Double, Int), target: Double) {
            let n = Double(count)
            let koerierRate = n / usage.wallSeconds
            let baselineRate = n / baseline.0
            func row(_ name: String, _ rate: Double, _ cpu: Double, _ rssKiB: Int, _ wall: Double) -> String {
                name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(format: "%10.0f %14.3f %12.1f %9.2f", rate, cpu / n * 1000, Double(rssKiB) / 1024, wall)
            }
            print("")
            print(title)
            print("".padding(toLength: 24, withPad: " ", startingAt: 0) + "    msgs/s  CPU s/1000 msg  peak MiB    wall s")
            print(row("koerier run --once", koerierRate, usage.cpuSeconds, usage.maxRSSKiB, usage.wallSeconds))
            print(row("raw libcurl baseline", baselineRate, baseline.1, baseline.2, baseline.0))
            let ratio = koerierRate / baselineRate
            print(String(format: "ratio koerier/baseline  %.2f (target >= %.1f: %@)", ratio, target, ratio >= target ? "met" : "NOT met"))
        }
    }

    struct Sink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sink", abstract: "Serve a MessageBird-format HTTP sink (used by the SMS benchmark).")
        @Option var port: UInt16

        func run() async throws {
            let sink = try HTTPSink(port: port)
            _ = sink
            while true { sleep(3600) }
        }
    }
}

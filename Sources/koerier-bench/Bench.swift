import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `koerier-bench`: drains N actions through the real `koerier run --once` into a loopback sink and compares
/// with a raw libcurl sender (same connection count, no spool, no journal), alternating, several runs each.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "koerier-bench",
        abstract: "Throughput, CPU, system calls and peak memory of koerier next to a raw libcurl baseline.",
        subcommands: [Run.self, Sink.self, Startup.self, BaselineSMTP.self, BaselineHTTP.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the benchmark (default).")

        @Option(help: "Actions per channel and run.") var count = 10_000
        @Option(help: "SMTP connections / HTTP connections per provider, for koerier and the baseline alike.") var connections = 4
        @Option(help: "Actions koerier works on at once (delivery.concurrency).") var concurrency = 64
        @Option(help: "email, sms or all.") var channel = "email"
        @Option(help: "Timed runs of koerier and of the baseline per channel (alternating); the report is their median [min-max].") var runs = 3
        @Option(help: "The template root.") var templates = "Templates"
        @Flag(help: "Keep the benchmark folders for inspection.") var keep = false
        @Flag(help: "Turn the evidence archive on (archive:), to measure what keeping every message costs.") var archive = false
        @Flag(help: "Print the result as a Markdown table with the machine, date and commit (progress goes to standard error).") var markdown = false

        func validate() throws {
            guard ["email", "sms", "all"].contains(channel) else { throw ValidationError("--channel is email, sms or all") }
            guard runs >= 1, count >= 1, connections >= 1, concurrency >= 1 else {
                throw ValidationError("--runs, --count, --connections and --concurrency are at least 1")
            }
        }

        func run() async throws {
            let machine = MachineDescription.current()
            let binDir = (URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()).path
            let settings = BenchSettings(
                count: count, connections: connections, concurrency: concurrency, runs: runs, archive: archive, keep: keep,
                templates: URL(fileURLWithPath: templates).standardizedFileURL.path,
                koerier: binDir + "/koerier", bench: binDir + "/koerier-bench"
            )
            guard FileManager.default.isExecutableFile(atPath: settings.koerier) else { throw BenchError("\(settings.koerier) is missing: build it first") }
            let header = "koerier-bench: \(count) actions per channel and run, \(runs) run\(runs == 1 ? "" : "s") per side, \(connections) connections, "
                + "concurrency \(concurrency), \(machine.cores) cores, archive \(archive ? "on" : "off")"
            if markdown { progress(header) } else { say(header) }
            if Strace.path == nil { progress(Strace.missing + " (no syscall or fsync counts)") }
            var results: [ChannelResult] = []
            if channel == "email" || channel == "all" { results.append(try email(settings)) }
            if channel == "sms" || channel == "all" { results.append(try sms(settings)) }
            if markdown { say(MarkdownReport.render(results, settings: settings, channel: channel, machine: machine)) }
        }

        private func email(_ settings: BenchSettings) throws -> ChannelResult {
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/smtp-sink") else {
                throw BenchError("/usr/sbin/smtp-sink is missing: apt-get install postfix")
            }
            let port = try freePort()
            let sinkArgs = (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(port)", "1024"]
            let sink = try ChildProcess.spawn("/usr/sbin/smtp-sink", sinkArgs, stdout: "/dev/null", stderr: "/dev/null")
            defer { ChildProcess.terminate(sink) }
            try waitForPort(port)
            let bench = ChannelBench(
                channel: "email", title: "email via SMTP (smtp-sink on 127.0.0.1:\(port))",
                label: "email via SMTP into `smtp-sink`" + (settings.archive ? ", evidence archive on" : ""), target: 0.6,
                baselineArguments: ["baseline-smtp", "--port", "\(port)", "--count", "\(settings.count)", "--connections", "\(settings.connections)"],
                settings: settings
            ) {
                try Workload.make(templates: settings.templates, smtpPort: port, smsPort: nil, connections: settings.connections,
                                  concurrency: settings.concurrency, archive: settings.archive)
            }
            return try report(bench.run())
        }

        private func sms(_ settings: BenchSettings) throws -> ChannelResult {
            let port = try freePort()
            let sink = try ChildProcess.spawn(settings.bench, ["sink", "--port", "\(port)"], stdout: "/dev/null", stderr: "/dev/null")
            defer { ChildProcess.terminate(sink) }
            try waitForPort(port)
            setenv("KOERIER_BENCH_TOKEN", "bench-token", 1)
            let bench = ChannelBench(
                channel: "sms", title: "SMS via HTTP (MessageBird-format sink on 127.0.0.1:\(port))",
                label: "SMS via HTTP into a MessageBird-format sink" + (settings.archive ? ", evidence archive on" : ""), target: 0.3,
                baselineArguments: ["baseline-http", "--port", "\(port)", "--count", "\(settings.count)", "--connections", "\(settings.connections)"],
                settings: settings
            ) {
                try Workload.make(templates: settings.templates, smtpPort: nil, smsPort: port, connections: settings.connections,
                                  concurrency: settings.concurrency, archive: settings.archive)
            }
            return try report(bench.run())
        }

        /// Prints the channel's text report as soon as it is done (unless the Markdown table is wanted at the end).
        private func report(_ result: ChannelResult) -> ChannelResult {
            if !markdown { say(TextReport.render(result, runs: runs)) }
            return result
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

import ArgumentParser
import Foundation

/// `koerier-bench startup`: the cost of starting after a busy day. Writes a journal day of N events (a quarter of
/// them the ends of actions, as a day of received/sending/sent/delivered looks), then measures `koerier run --once`
/// on an empty spool: recovery reads the journal window, so this is the start-up's peak memory and time.
struct Startup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "startup", abstract: "Peak memory and time of a start after a day of N journal events.")

    @Option(help: "Journal events in the day file.") var events = 200_000
    @Option(help: "The template root.") var templates = "Templates"
    @Flag(help: "Keep the benchmark folder for inspection.") var keep = false

    func run() async throws {
        let binDir = (URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()).path
        let koerier = binDir + "/koerier"
        guard FileManager.default.isExecutableFile(atPath: koerier) else { throw BenchError("\(koerier) is missing: build it first") }
        let workload = try Workload.make(templates: URL(fileURLWithPath: templates).standardizedFileURL.path, smtpPort: nil, smsPort: nil,
                                         connections: 1, concurrency: 64)
        defer { if !keep { workload.remove() } }
        try FileManager.default.createDirectory(atPath: workload.journal, withIntermediateDirectories: true)
        let bytes = try writeDay(into: workload.journal, events: events)
        let usage = try ChildProcess.run(koerier, ["run", "--once", "--config", workload.config, "--log-level", "error"], stderr: workload.root + "/koerier.log")
        guard usage.status == 0 else { throw BenchError("koerier exited \(usage.status) (see \(workload.root)/koerier.log; --keep keeps it)") }
        print("koerier-bench startup: \(events) journal events (\(bytes / 1_048_576) MiB) in today's file")
        print(String(format: "start-up and an empty --once run: %.2f s wall, %.2f s CPU, peak %.1f MiB", usage.wallSeconds, usage.cpuSeconds, Double(usage.maxRSSKiB) / 1024))
    }

    /// Today's journal file with `events` lines; returns its size in bytes.
    private func writeDay(into directory: String, events: Int) throws -> Int {
        let now = Date()
        let day = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let path = "\(directory)/\(day).jsonl"
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw BenchError("cannot write \(path)") }
        defer { try? handle.close() }
        let kinds = ["received", "sending", "sent", "delivered"]
        var buffer = ""
        var written = 0
        for seq in 1...events {
            let action = String(format: "day-%07d", (seq - 1) / 4)
            let kind = kinds[(seq - 1) % 4]
            buffer += "{\"ts\":\"\(day)T00:00:00.000Z\",\"seq\":\(seq),\"action\":\"\(action)\",\"event\":\"\(kind)\",\"channel\":\"email\","
                + "\"stage\":\"herinnering\",\"segment\":\"consument\",\"tone\":\"zakelijk\",\"debtor\":\"D-\(seq / 4)\","
                + "\"recipient\":\"klant\(seq / 4)@example.nl\",\"template\":\"email/herinnering/consument.zakelijk\","
                + "\"template_sha256\":\"\(String(repeating: "ab", count: 32))\",\"message_id\":\"<koerier.\(action)@voorbeeld.nl>\","
                + "\"detail\":\"250 2.0.0 Ok: queued as ABCDEF\",\"tags\":{\"campaign\":\"nov\"},\"file\":\"\(action).json\"}\n"
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                written += buffer.utf8.count
                buffer = ""
            }
        }
        handle.write(Data(buffer.utf8))
        return written + buffer.utf8.count
    }
}

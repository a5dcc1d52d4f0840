import Foundation

/// Counts a program's system calls by running it under `strace -f -c` (every thread). Tracing slows every call,
/// so a traced run is only ever counted, never timed.
enum Strace {
    /// strace on PATH, or `nil`.
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/strace" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let missing = "strace not found: apt-get install strace"

    /// Runs the program traced, with the summary written to `summary`; returns the program's exit status
    /// (strace passes it on) and the counts, or why there are none.
    static func count(_ program: String, _ arguments: [String], summary: String, stderr: String) throws -> (status: Int32, counts: Result<SyscallCounts, BenchError>) {
        guard let path else { return (0, .failure(BenchError(missing))) }
        let usage = try ChildProcess.run(path, ["-f", "-c", "-o", summary, "--", program] + arguments, stdout: "/dev/null", stderr: stderr)
        guard let text = try? String(contentsOfFile: summary, encoding: .utf8), let counts = SyscallCounts(straceSummary: text) else {
            return (usage.status, .failure(BenchError("no strace summary in \(summary) (see \(stderr))")))
        }
        return (usage.status, .success(counts))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process used: wall time, CPU time (user and system), context switches and peak memory
/// (all but the wall time from wait4's rusage, which also covers the child's own reaped children).
struct ChildUsage {
    var status: Int32
    var wallSeconds: Double
    var userSeconds: Double
    var systemSeconds: Double
    /// Voluntary plus involuntary context switches (ru_nvcsw + ru_nivcsw).
    var contextSwitches: Int
    var maxRSSKiB: Int

    var cpuSeconds: Double { userSeconds + systemSeconds }
}

/// Starts programs with posix_spawn so their resource use can be read with wait4.
enum ChildProcess {
    static func spawn(_ path: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Runs a program to its end and reports its usage.
    static func run(_ path: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws -> ChildUsage {
        let start = Date()
        let pid = try spawn(path, arguments, stdout: stdout, stderr: stderr)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = Date().timeIntervalSince(start)
        return ChildUsage(
            status: status, wallSeconds: wall,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            contextSwitches: usage.ru_nvcsw + usage.ru_nivcsw, maxRSSKiB: usage.ru_maxrss
        )
    }

    static func terminate(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

import Foundation

/// Where and when a measurement was taken, for the line under the Markdown table.
struct MachineDescription {
    /// `uname -srm`.
    let system: String
    let cores: Int
    /// The first `model name` in /proc/cpuinfo.
    let cpuModel: String?
    /// The 1, 5 and 15 minute load averages when the benchmark started.
    let loadAverage: String?
    /// UTC, to the minute.
    let date: String
    /// `git rev-parse --short HEAD` in the working directory, with `+changes` when tracked files differ from it.
    let commit: String?

    /// Read once, before the benchmark starts any child of its own.
    static func current() -> MachineDescription {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        var commit = output(of: ["git", "rev-parse", "--short", "HEAD"])
        if commit != nil, let changes = output(of: ["git", "status", "--porcelain", "--untracked-files=no"]), !changes.isEmpty {
            commit! += "+changes"
        }
        return MachineDescription(
            system: output(of: ["uname", "-srm"]) ?? ProcessInfo.processInfo.operatingSystemVersionString,
            cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model, loadAverage: load,
            date: formatter.string(from: Date()), commit: commit
        )
    }

    /// A command's trimmed standard output, or `nil` when it cannot run or fails.
    private static func output(of command: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

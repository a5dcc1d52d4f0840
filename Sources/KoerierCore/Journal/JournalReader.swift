import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads journal files back, oldest first, for recovery, `koerier journal` and tests.
public enum JournalReader {
    /// The journal file names (`YYYY-MM-DD.jsonl`) in date order.
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") && CalendarDate(iso: String($0.dropLast(6))) != nil }.sorted()
    }

    /// Calls `body` for every complete event in the files dated `since` or later, in order.
    /// Files are read in 1 MiB pieces, so a large day file never sits in memory whole.
    public static func forEach(in directory: String, since: CalendarDate? = nil, _ body: (JournalEvent) throws -> Void) rethrows {
        for name in files(in: directory) {
            if let since, let day = CalendarDate(iso: String(name.dropLast(6))), day < since { continue }
            try forEachLine(in: directory + "/" + name) { line in
                if let event = JournalEvent(jsonLine: line) { try body(event) }
            }
        }
    }

    /// Calls `body` for every complete line of one journal file (without its newline), reading 1 MiB at a time.
    /// A last line without its newline is a write in progress (or torn by a crash): not an event yet.
    public static func forEachLine(in path: String, _ body: (ArraySlice<UInt8>) throws -> Void) rethrows {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return }
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try body(pending[start..<newline])
                start = newline + 1
            }
            pending.removeFirst(start)
        }
    }

    /// Every event, in order (small journals: tests and tools).
    public static func all(in directory: String) -> [JournalEvent] {
        var events: [JournalEvent] = []
        forEach(in: directory) { events.append($0) }
        return events
    }
}

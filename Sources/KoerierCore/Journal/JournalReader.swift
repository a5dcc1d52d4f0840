import Foundation

/// Reads journal files back, oldest first, for recovery, `koerier journal` and tests.
public enum JournalReader {
    /// The journal file names (`YYYY-MM-DD.jsonl`) in date order.
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") && CalendarDate(iso: String($0.dropLast(6))) != nil }.sorted()
    }

    /// Calls `body` for every complete event in the files dated `since` or later, in order.
    public static func forEach(in directory: String, since: CalendarDate? = nil, _ body: (JournalEvent) throws -> Void) rethrows {
        for name in files(in: directory) {
            if let since, let day = CalendarDate(iso: String(name.dropLast(6))), day < since { continue }
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            let bytes = [UInt8](data)
            var start = 0
            for index in bytes.indices where bytes[index] == 0x0A {
                if let event = JournalEvent(jsonLine: bytes[start..<index]) { try body(event) }
                start = index + 1
            }
        }
    }

    /// Every event, in order (small journals: tests and tools).
    public static func all(in directory: String) -> [JournalEvent] {
        var events: [JournalEvent] = []
        forEach(in: directory) { events.append($0) }
        return events
    }
}

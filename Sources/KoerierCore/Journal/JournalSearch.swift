import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the events of one action in the journal, newest day first, without parsing lines about other actions.
public enum JournalSearch {
    /// The events of `actionID` in the files of the last `days` days (by name), oldest first. The scan stops at the
    /// newest file that holds an event for which `stop` is true (scanning backwards), so a recent action costs a few files.
    public static func events(of actionID: String, in directory: String, days: Int, until stop: (JournalEvent) -> Bool) -> [JournalEvent] {
        lines(of: actionID, in: directory, days: days, until: stop).map(\.event)
    }

    /// Like `events`, with each event's journal line exactly as written (evidence keeps the original bytes).
    public static func lines(of actionID: String, in directory: String, days: Int, until stop: (JournalEvent) -> Bool)
        -> [(event: JournalEvent, line: [UInt8])] {
        var needle = "\"action\":"
        JSONText.appendQuoted(actionID, to: &needle)
        let pattern = Array(needle.utf8)
        var found: [[(event: JournalEvent, line: [UInt8])]] = []
        for name in JournalReader.files(in: directory).suffix(max(1, days)).reversed() {
            var day: [(event: JournalEvent, line: [UInt8])] = []
            var stopped = false
            JournalReader.forEachLine(in: directory + "/" + name) { line in
                guard contains(line, pattern), let event = JournalEvent(jsonLine: line), event.action == actionID else { return }
                day.append((event, Array(line)))
                if stop(event) { stopped = true }
            }
            found.append(day)
            if stopped { break }
        }
        return found.reversed().flatMap { $0 }
    }

    /// True when `pattern` occurs in `line` (a plain byte search; journal lines are short).
    static func contains(_ line: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, line.count >= pattern.count else { return false }
        var index = line.startIndex
        let last = line.endIndex - pattern.count
        while index <= last {
            if line[index] == first && line[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the events of one action in the journal, newest day first, without parsing lines about other actions.
public enum JournalSearch {
    /// The events of `actionID` in the files of the last `days` days (by name), oldest first. The scan stops at the
    /// oldest file that holds the action's `sent` or first event it looks for, so a recent action costs a few files.
    public static func events(of actionID: String, in directory: String, days: Int, until stop: (JournalEvent) -> Bool) -> [JournalEvent] {
        var needle = "\"action\":"
        JSONText.appendQuoted(actionID, to: &needle)
        let pattern = Array(needle.utf8)
        var found: [[JournalEvent]] = []
        for name in JournalReader.files(in: directory).suffix(max(1, days)).reversed() {
            var day: [JournalEvent] = []
            var stopped = false
            JournalReader.forEachLine(in: directory + "/" + name) { line in
                guard contains(line, pattern), let event = JournalEvent(jsonLine: line), event.action == actionID else { return }
                day.append(event)
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

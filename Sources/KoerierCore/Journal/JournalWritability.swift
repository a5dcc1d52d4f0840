import Foundation

/// Whether the journal can take an append now, looked at without writing: the folder is writable and today's day
/// file, where it exists, is a writable regular file. `/readyz` asks this besides the dispatcher's own state,
/// which only learns of a broken journal at its next append.
public enum JournalWritability {
    /// Why the journal in `directory` cannot be written at `now`, or nil when it can.
    public static func problem(directory: String, now: Date = Date()) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return "the journal folder is missing" }
        guard access(directory, W_OK) == 0 else { return "the journal folder is not writable" }
        let file = "\(directory)/\(RFC3339.utcDay(now)).jsonl"
        guard lstat(file, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "today's journal file is not a regular file" }
        guard access(file, W_OK) == 0 else { return "today's journal file is not writable" }
        return nil
    }
}

/// System calls of one run, read from the summary `strace -f -c` writes.
struct SyscallCounts {
    /// All calls of all threads.
    let total: Int
    /// fsync, fdatasync, sync_file_range and syncfs calls.
    let syncs: Int

    static let syncCalls: Set<String> = ["fsync", "fdatasync", "sync_file_range", "syncfs"]

    /// Parses the summary table. The numbers are right-aligned under their headings, so the calls column is the
    /// token that ends where the heading `calls` ends (the errors column is blank where there were none); the
    /// syscall's name is the last token. `nil` when there is no table.
    init?(straceSummary text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0.utf8) }
        guard let headerIndex = lines.firstIndex(where: { Self.tokens($0).contains { $0.text == "calls" } }),
              let callsEnd = Self.tokens(lines[headerIndex]).first(where: { $0.text == "calls" })?.end
        else { return nil }
        var total: Int?
        var sum = 0
        var syncs = 0
        for line in lines[(headerIndex + 1)...] {
            let tokens = Self.tokens(line)
            guard let name = tokens.last?.text, !name.hasPrefix("-"),
                  let calls = tokens.first(where: { $0.end == callsEnd }).flatMap({ Int($0.text) })
            else { continue }
            if name == "total" { total = calls; continue }
            sum += calls
            if Self.syncCalls.contains(name) { syncs += calls }
        }
        guard sum > 0 || total != nil else { return nil }
        self.total = total ?? sum
        self.syncs = syncs
    }

    /// Whitespace-separated tokens with the column just past each one's last character.
    private static func tokens(_ line: [UInt8]) -> [(text: String, end: Int)] {
        var result: [(text: String, end: Int)] = []
        var start: Int?
        for column in 0...line.count {
            let blank = column == line.count || line[column] == UInt8(ascii: " ") || line[column] == UInt8(ascii: "\t")
            if blank, let begin = start {
                result.append((String(decoding: line[begin..<column], as: UTF8.self), column))
                start = nil
            } else if !blank, start == nil {
                start = column
            }
        }
        return result
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the evidence archive: day files of records (a JSON header line, the exact bytes, a newline), found by
/// jumping from header to header, so a large day file is never read whole.
public enum ArchiveReader {
    /// One record's header.
    public struct Header: Sendable, Equatable {
        public var ts: String
        public var action: String
        public var channel: String
        public var sha256: String
        public var length: Int
    }

    /// The longest header line accepted, and the largest record (a message is at most a few MiB).
    static let longestHeader = 4096
    static let largestRecord = 64 << 20

    /// The bytes of the record of `action` whose SHA-256 is `sha256`, searched in the day files `days` (UTC).
    public static func find(action: String, sha256: String, in directory: String, days: [CalendarDate]) -> [UInt8]? {
        for day in days {
            let path = "\(directory)/\(day).archive"
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { continue }
            defer { close(fd) }
            var found: [UInt8]?
            walk(fd) { header, offset in
                guard header.action == action, header.sha256 == sha256 else { return true }
                var bytes = [UInt8](repeating: 0, count: header.length)
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, header.length, offset) }
                if n == header.length { found = bytes }
                return false
            }
            if let found { return found }
        }
        return nil
    }

    /// The headers of a day file, in order (for tools and tests).
    public static func headers(_ path: String) -> [Header] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return [] }
        defer { close(fd) }
        var headers: [Header] = []
        walk(fd) { header, _ in
            headers.append(header)
            return true
        }
        return headers
    }

    /// Calls `body` with each header and the offset of its bytes until it returns false or the file ends.
    /// A torn record at the end (a crash while appending) ends the walk.
    static func walk(_ fd: Int32, _ body: (Header, off_t) -> Bool) {
        var offset: off_t = 0
        var buffer = [UInt8](repeating: 0, count: longestHeader)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            guard n > 0, let newline = buffer[0..<n].firstIndex(of: 0x0A), let header = parse(buffer[0..<newline]) else { return }
            let start = offset + off_t(newline + 1)
            if !body(header, start) { return }
            offset = start + off_t(header.length) + 1
        }
    }

    /// A header line, range-checked.
    static func parse(_ line: ArraySlice<UInt8>) -> Header? {
        guard case .object(let o)? = try? JSONParser.parse(Array(line)),
              case .string(let ts)? = o["ts"], case .string(let action)? = o["action"],
              case .string(let channel)? = o["channel"], case .string(let sha)? = o["sha256"], sha.utf8.count == 64,
              case .number(let lengthText)? = o["length"], let length = Int(lengthText), (0...largestRecord).contains(length)
        else { return nil }
        return Header(ts: ts, action: action, channel: channel, sha256: sha, length: length)
    }
}

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The append-only delivery journal: `<dir>/YYYY-MM-DD.jsonl` by UTC date, one JSON object per line.
///
/// `append` returns only after the lines are written whole and fsynced. Appends from many tasks are
/// gathered by one writer thread into a single write and a single fsync (group commit).
public final class Journal: Sendable {
    public let directory: String
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let writer: Writer

    private struct Pending: @unchecked Sendable {
        let events: [JournalEvent]
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: ~Copyable {
        var pending: [Pending] = []
        var closed = false
        var stopped = false
    }

    /// Opens (and creates) the journal folder, repairs a torn last line left by a crash, and continues `seq`.
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError(path: directory, reason: "cannot create the journal folder: \(error.localizedDescription)", errno: 0)
        }
        self.writer = Writer(directory: directory, lastSeq: try Self.recoverLastSeq(directory: directory))
        let thread = Thread { [self] in self.run() }
        thread.name = "koerier-journal"
        thread.start()
    }

    /// The highest `seq` written so far.
    public var lastSeq: UInt64 { writer.seqSnapshot.withLock { $0 } }

    /// Writes `events` (in order, each with the next `seq`) and returns when they are durable.
    public func append(_ events: [JournalEvent]) async throws(JournalError) {
        if events.isEmpty { return }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let accepted = state.withLock { state -> Bool in
                    if state.closed { return false }
                    state.pending.append(Pending(events: events, continuation: continuation))
                    return true
                }
                if accepted {
                    wake.signal()
                } else {
                    continuation.resume(throwing: JournalError(path: directory, reason: "the journal is closed", errno: 0))
                }
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(path: directory, reason: "\(error)", errno: 0)
        }
    }

    /// Writes one event and returns when it is durable.
    public func append(_ event: JournalEvent) async throws(JournalError) {
        try await append([event])
    }

    /// Finishes pending writes and closes the files.
    public func close() {
        let alreadyClosed = state.withLock { state -> Bool in
            defer { state.closed = true }
            return state.closed
        }
        if !alreadyClosed { wake.signal() }
        while !state.withLock({ $0.stopped }) { usleep(1000) }
    }

    private func run() {
        while true {
            wake.wait()
            let (batch, closed) = state.withLock { state -> ([Pending], Bool) in
                defer { state.pending.removeAll() }
                return (state.pending, state.closed)
            }
            if !batch.isEmpty {
                let result = writer.write(batch.map(\.events))
                for item in batch {
                    switch result {
                    case .success: item.continuation.resume()
                    case .failure(let error): item.continuation.resume(throwing: error)
                    }
                }
            }
            if closed && state.withLock({ $0.pending.isEmpty }) { break }
        }
        writer.closeAll()
        state.withLock { $0.stopped = true }
    }

    /// Finds the last complete line of the newest file, cuts off a torn tail, and returns its `seq`.
    static func recoverLastSeq(directory: String) throws(JournalError) -> UInt64 {
        let files = JournalReader.files(in: directory)
        for name in files.reversed() {
            let path = directory + "/" + name
            guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else { continue }
            if let last = bytes.last, last != 0x0A {
                let keep = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
                if truncate(path, off_t(keep)) != 0 {
                    throw JournalError(path: path, reason: "cannot cut off the torn last line: \(String(cString: strerror(errno)))", errno: errno)
                }
                bytes.removeSubrange(keep...)
            }
            for line in bytes.split(separator: 0x0A).reversed() {
                if let event = JournalEvent(jsonLine: line) { return event.seq }
            }
        }
        return 0
    }
}

/// The writer thread's own state: open files by day and the next `seq`.
private final class Writer: @unchecked Sendable {
    let directory: String
    var seq: UInt64
    let seqSnapshot: Mutex<UInt64>
    var files: [CalendarDate: Int32] = [:]

    init(directory: String, lastSeq: UInt64) {
        self.directory = directory
        self.seq = lastSeq
        self.seqSnapshot = Mutex(lastSeq)
    }

    func write(_ groups: [[JournalEvent]]) -> Result<Void, JournalError> {
        var byDay: [(CalendarDate, [UInt8])] = []
        var next = seq
        for events in groups {
            for var event in events {
                next += 1
                event.seq = next
                let day = RFC3339.utcDay(event.ts)
                let line = Array((event.jsonLine() + "\n").utf8)
                if let index = byDay.firstIndex(where: { $0.0 == day }) {
                    byDay[index].1.append(contentsOf: line)
                } else {
                    byDay.append((day, line))
                }
            }
        }
        for (day, bytes) in byDay {
            let path = "\(directory)/\(day).jsonl"
            let fd: Int32
            if let open = files[day] {
                fd = open
            } else {
                fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd < 0 { return .failure(JournalError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))", errno: errno)) }
                let dir = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dir >= 0 { _ = fsync(dir); Glibc.close(dir) }
                for (old, descriptor) in files where old < day { Glibc.close(descriptor); files[old] = nil }
                files[day] = fd
            }
            let before = lseek(fd, 0, SEEK_END)
            var written = 0
            let failure: Int32? = bytes.withUnsafeBytes { raw -> Int32? in
                guard let base = raw.baseAddress else { return nil }
                while written < raw.count {
                    let n = Glibc.write(fd, base + written, raw.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    written += n
                }
                return fsync(fd) == 0 ? nil : errno
            }
            if let code = failure {
                // Never leave a half line: cut the file back to where this batch began.
                if before >= 0 { _ = ftruncate(fd, before) }
                Glibc.close(fd)
                files[day] = nil
                return .failure(JournalError(path: path, reason: "cannot write: \(String(cString: strerror(code)))", errno: code))
            }
        }
        seq = next
        seqSnapshot.withLock { $0 = next }
        return .success(())
    }

    func closeAll() {
        for (_, fd) in files { Glibc.close(fd) }
        files.removeAll()
    }
}

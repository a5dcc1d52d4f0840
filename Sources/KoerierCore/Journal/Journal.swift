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
        let last = try Self.recoverLast(directory: directory)
        self.writer = Writer(directory: directory, lastSeq: last.seq, lastTimestamp: last.ts)
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

    /// Cuts off a torn tail left by a crash and returns the highest `seq` and latest `ts` of the two newest files.
    static func recoverLast(directory: String) throws(JournalError) -> (seq: UInt64, ts: Date) {
        var best: (seq: UInt64, ts: Date) = (0, .distantPast)
        for name in JournalReader.files(in: directory).suffix(2) {
            let path = directory + "/" + name
            guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else { continue }
            if let last = bytes.last, last != 0x0A {
                let keep = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
                if truncate(path, off_t(keep)) != 0 {
                    throw JournalError(path: path, reason: "cannot cut off the torn last line: \(String(cString: strerror(errno)))", errno: errno)
                }
                bytes.removeSubrange(keep...)
            }
            for line in bytes.split(separator: 0x0A) {
                if let event = JournalEvent(jsonLine: line), event.seq >= best.seq { best = (event.seq, max(best.ts, event.ts)) }
            }
        }
        return best
    }
}

/// The writer thread's own state: open files by day and the next `seq`.
private final class Writer: @unchecked Sendable {
    let directory: String
    var seq: UInt64
    /// The latest `ts` written: later events never get an earlier one, so lines are in time order, a day's file
    /// is never written after the next day's has begun, and `seq` and `ts` agree.
    var lastTimestamp: Date
    let seqSnapshot: Mutex<UInt64>
    var files: [CalendarDate: Int32] = [:]

    init(directory: String, lastSeq: UInt64, lastTimestamp: Date) {
        self.directory = directory
        self.seq = lastSeq
        self.lastTimestamp = lastTimestamp
        self.seqSnapshot = Mutex(lastSeq)
    }

    func write(_ groups: [[JournalEvent]]) -> Result<Void, JournalError> {
        var byDay: [(CalendarDate, [UInt8])] = []
        var next = seq
        var latest = lastTimestamp
        for events in groups {
            for var event in events {
                next += 1
                event.seq = next
                if event.ts < latest { event.ts = latest }
                latest = event.ts
                let day = RFC3339.utcDay(event.ts)
                let line = Array((event.jsonLine() + "\n").utf8)
                if let index = byDay.firstIndex(where: { $0.0 == day }) {
                    byDay[index].1.append(contentsOf: line)
                } else {
                    byDay.append((day, line))
                }
            }
        }
        // Where each file stood before this batch: on any failure every file is cut back, so a batch is all or nothing.
        var written: [(fd: Int32, before: off_t)] = []
        func undo() {
            for (fd, before) in written where before >= 0 { _ = ftruncate(fd, before) }
        }
        for (day, bytes) in byDay {
            let path = "\(directory)/\(day).jsonl"
            let fd: Int32
            if let open = files[day] {
                fd = open
            } else {
                fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd < 0 {
                    let code = errno
                    undo()
                    return .failure(JournalError(path: path, reason: "cannot open: \(String(cString: strerror(code)))", errno: code))
                }
                let dir = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dir >= 0 { _ = fsync(dir); Glibc.close(dir) }
                for (old, descriptor) in files where old < day { Glibc.close(descriptor); files[old] = nil }
                files[day] = fd
            }
            let before = lseek(fd, 0, SEEK_END)
            written.append((fd, before))
            var offset = 0
            let failure: Int32? = bytes.withUnsafeBytes { raw -> Int32? in
                guard let base = raw.baseAddress else { return nil }
                while offset < raw.count {
                    let n = Glibc.write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return fsync(fd) == 0 ? nil : errno
            }
            if let code = failure {
                // Never leave a half line, nor half a batch: cut every file back to where this batch began.
                undo()
                Glibc.close(fd)
                files[day] = nil
                return .failure(JournalError(path: path, reason: "cannot write: \(String(cString: strerror(code)))", errno: code))
            }
        }
        seq = next
        lastTimestamp = latest
        seqSnapshot.withLock { $0 = next }
        return .success(())
    }

    func closeAll() {
        for (_, fd) in files { Glibc.close(fd) }
        files.removeAll()
    }
}

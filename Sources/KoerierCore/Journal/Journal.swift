import Foundation
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The append-only delivery journal: `<dir>/YYYY-MM-DD.jsonl` by UTC date, one JSON object per line.
///
/// `append` returns only after the lines are written whole and fsynced. Appends from many tasks are
/// gathered by one writer thread into a single write and a single fsync (group commit). The thread starts with the
/// first append or with `run()` (the journal is the first service of the daemon and the last to stop).
public final class Journal: Service, Sendable {
    public let directory: String
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let writer: Writer

    private struct Pending: Sendable {
        let events: [JournalEvent]
        let archive: [ArchiveEntry]
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: ~Copyable {
        var pending: [Pending] = []
        var started = false
        var closed = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The evidence archive folder, when the archive is on.
    public let archiveDirectory: String?

    /// Opens (and creates) the journal folder, repairs a torn last line left by a crash, and continues `seq`.
    /// With `archive`, message bytes handed to `append` are kept there in the same group commit.
    public init(directory: String, archive: String? = nil) throws(JournalError) {
        self.directory = directory
        self.archiveDirectory = archive
        if let archive {
            do {
                try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            } catch {
                throw JournalError(path: archive, reason: "cannot create the archive folder: \(error.localizedDescription)", errno: 0)
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError(path: directory, reason: "cannot create the journal folder: \(error.localizedDescription)", errno: 0)
        }
        let last = try Self.recoverLast(directory: directory)
        self.writer = Writer(directory: directory, archive: archive, lastSeq: last.seq, lastTimestamp: last.ts)
    }

    /// The service: keeps the writer running until graceful shutdown, then writes what is pending and closes.
    /// Every service that appends is stopped before this one (the group stops services in reverse order).
    public func run() async throws {
        startWriter()
        try? await gracefulShutdown()
        await close()
    }

    /// Starts the writer thread once.
    private func startWriter() {
        let start = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard start else { return }
        let thread = Thread { [self] in self.writeLoop() }
        thread.name = "koerier-journal"
        thread.start()
    }

    /// The highest `seq` written so far.
    public var lastSeq: UInt64 { writer.seqSnapshot.withLock { $0 } }

    /// How well group commit works: appends (calls to `append`) and the commits (one write and one fsync per file)
    /// that made them durable. Appends per commit is the figure to watch.
    public struct Statistics: Sendable, Equatable {
        public var appends = 0
        public var events = 0
        public var commits = 0
        /// Time spent writing and fsyncing, in total (the journal's share of each send's latency).
        public var commitSeconds = 0.0
    }

    /// Appends and commits since this journal was opened.
    public var statistics: Statistics { writer.statistics.withLock { $0 } }

    /// Writes `events` (in order, each with the next `seq`) and returns when they are durable. `archive`: message
    /// bytes to keep as evidence, made durable in the same round before the events (both or neither).
    public func append(_ events: [JournalEvent], archive: [ArchiveEntry] = []) async throws(JournalError) {
        if events.isEmpty { return }
        if !archive.isEmpty && archiveDirectory == nil {
            throw JournalError(path: directory, reason: "message bytes were given for an archive that is off", errno: 0)
        }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let accepted = state.withLock { state -> Bool in
                    if state.closed { return false }
                    state.pending.append(Pending(events: events, archive: archive, continuation: continuation))
                    return true
                }
                if accepted {
                    startWriter()
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

    /// Finishes pending writes (a batch being written is never cut short) and closes the files.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (first, done) = state.withLock { state -> (Bool, Bool) in
                defer { state.closed = true }
                if !state.started || state.stopped { state.stopped = true; return (false, true) }
                state.stopWaiters.append(continuation)
                return (!state.closed, false)
            }
            if first { wake.signal() }
            if done { continuation.resume() }
        }
    }

    /// Closes from a thread that may block (a forced exit): waits until the batch being written is on disk.
    /// Never call it from the concurrency pool.
    public func closeBlocking(timeout: Double = 10) {
        let done = DispatchSemaphore(value: 0)
        Task.detached { [self] in
            await close()
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    private func writeLoop() {
        while true {
            wake.wait()
            let (batch, closed) = state.withLock { state -> ([Pending], Bool) in
                defer { state.pending.removeAll() }
                return (state.pending, state.closed)
            }
            if !batch.isEmpty {
                let started = ContinuousClock.now
                let result = writer.write(batch.map(\.events), archive: batch.flatMap(\.archive))
                let took = ContinuousClock.now - started
                writer.statistics.withLock { statistics in
                    statistics.commitSeconds += Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
                    statistics.appends += batch.count
                    statistics.events += batch.reduce(0) { $0 + $1.events.count }
                    statistics.commits += 1
                }
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
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Cuts off a torn tail left by a crash and returns the highest `seq` and latest `ts`, reading only the end of
    /// the newest files (a day of 200,000 events is never read whole at start-up).
    static func recoverLast(directory: String) throws(JournalError) -> (seq: UInt64, ts: Date) {
        for name in JournalReader.files(in: directory).reversed() {
            let path = directory + "/" + name
            let fd = open(path, O_RDWR | O_CLOEXEC)
            if fd < 0 { continue }
            defer { Glibc.close(fd) }
            var size = lseek(fd, 0, SEEK_END)
            if size <= 0 { continue }
            // A torn last line (no newline at its end) is cut back to the last complete line.
            var window = [UInt8](repeating: 0, count: 1)
            _ = window.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 1, size - 1) }
            if window[0] != 0x0A {
                let keep = lastNewline(fd, before: size).map { $0 + 1 } ?? 0
                if ftruncate(fd, keep) != 0 {
                    throw JournalError(path: path, reason: "cannot cut off the torn last line: \(String(cString: strerror(errno)))", errno: errno)
                }
                size = keep
            }
            // The last complete line carries the highest seq and the latest ts (the writer keeps both in order).
            guard size > 0 else { continue }
            let start = lastNewline(fd, before: size - 1).map { $0 + 1 } ?? 0
            var line = [UInt8](repeating: 0, count: Int(size - 1 - start))
            let n = line.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, start) }
            if n == line.count, let event = JournalEvent(jsonLine: line[...]) { return (event.seq, event.ts) }
        }
        return (0, .distantPast)
    }

    /// The offset of the last newline before `end`, reading backwards in 64 KiB pieces.
    private static func lastNewline(_ fd: Int32, before end: off_t) -> off_t? {
        var upper = end
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while upper > 0 {
            let lower = max(0, upper - off_t(chunk.count))
            let count = Int(upper - lower)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, lower) }
            guard n == count else { return nil }
            if let index = chunk[0..<count].lastIndex(of: 0x0A) { return lower + off_t(index) }
            upper = lower
        }
        return nil
    }
}

/// The writer thread's own state: open files by day and the next `seq`. Only the writer thread touches it (the one
/// value others read, `seqSnapshot`, is behind a lock), which the compiler cannot see: hence `@unchecked`.
private final class Writer: @unchecked Sendable {
    let directory: String
    var seq: UInt64
    /// The latest `ts` written: later events never get an earlier one, so lines are in time order, a day's file
    /// is never written after the next day's has begun, and `seq` and `ts` agree.
    var lastTimestamp: Date
    let seqSnapshot: Mutex<UInt64>
    let statistics = Mutex(Journal.Statistics())
    /// Open day files (journal and archive) by path.
    var files: [String: Int32] = [:]

    let archive: String?

    init(directory: String, archive: String?, lastSeq: UInt64, lastTimestamp: Date) {
        self.directory = directory
        self.archive = archive
        self.seq = lastSeq
        self.lastTimestamp = lastTimestamp
        self.seqSnapshot = Mutex(lastSeq)
    }

    func write(_ groups: [[JournalEvent]], archive entries: [ArchiveEntry]) -> Result<Void, JournalError> {
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
        // The evidence first (one record per message, in the day file of the batch), then the events that name it.
        var targets: [(path: String, folder: String, bytes: [UInt8])] = []
        if let archive, !entries.isEmpty {
            let stamp = RFC3339.format(latest)
            targets.append(("\(archive)/\(RFC3339.utcDay(latest)).archive", archive, entries.flatMap { $0.record(ts: stamp) }))
        }
        targets += byDay.map { ("\(directory)/\($0.0).jsonl", directory, $0.1) }
        // Where each file stood before this batch: on any failure every file is cut back, so a batch is all or nothing.
        var written: [(fd: Int32, before: off_t)] = []
        func undo() {
            for (fd, before) in written where before >= 0 { _ = ftruncate(fd, before) }
        }
        for (path, folder, bytes) in targets {
            let fd: Int32
            if let open = files[path] {
                fd = open
            } else {
                fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd < 0 {
                    let code = errno
                    undo()
                    return .failure(JournalError(path: path, reason: "cannot open: \(String(cString: strerror(code)))", errno: code))
                }
                DurableFile.syncFolder(folder)
                // A new day's file: the older days' files of the same folder are done.
                for (old, descriptor) in files where old < path && old.hasPrefix(folder + "/") {
                    Glibc.close(descriptor)
                    files[old] = nil
                }
                files[path] = fd
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
                files[path] = nil
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

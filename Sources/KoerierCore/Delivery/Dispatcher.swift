import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Moves actions through the spool: intake from new/, decisions, sending, journalling, terminal folders.
///
/// The journal is the write-ahead log: every spool move happens only after the event describing it is durable,
/// and start-up recovery (`Dispatcher+Recovery.swift`) finishes whatever a crash interrupted. What happens to an
/// action is decided by `ActionLifecycle`; the dispatcher carries its steps out.
public final class Dispatcher: Sendable {
    let spool: Spool
    let journal: Journal
    let logger: Logger
    /// The wall clock for decisions (contact hours, expiry, retry times).
    let now: @Sendable () -> Date
    /// The clock for the waits that decide behaviour: a passing read error's retry and the journal's back-off.
    /// Tests pass one that does not sleep. (Idle loops and wall-clock deadlines are not on it.)
    let clock: any Clock<Duration>
    /// Earlier 14-day letters, from the journal, for actions that build on one.
    let notices: JournalNotices
    /// Reads a claimed action file (the spool's reader; tests put passing I/O faults in front of it).
    let readFile: @Sendable (_ name: String, _ folder: SpoolLayout.Folder) -> Spool.ReadResult
    let queue = WorkQueue()
    let state: Mutex<State>
    private let runtimeBox: Mutex<Runtime>
    let wakeIntake = AsyncWake()
    let wakeTimer = AsyncWake()

    struct State: ~Copyable {
        var index = JournalIndex()
        /// Files deferred, by name, and their deadlines.
        var deferred: [String: WorkItem] = [:]
        var deadlines = DeadlineHeap()
        /// Deferred files by action id, so a cancel marker takes effect at once.
        var deferredByID: [String: String] = [:]
        /// Action ids being worked on now, with their file.
        var activeIDs: [String: String] = [:]
        /// The file names this process holds in active/ or deferred/ (claimed, recovered, deferred, or waiting for a
        /// terminal move). One process owns the spool, so this is the truth the intake checks instead of asking the
        /// file system: a name held here is not claimed again from new/ until its file has left for a terminal folder.
        var held: Set<String> = []
        var inFlight = 0
        /// Files kept in active/ that come back to the ready queue at a wall-clock deadline (a lookup window, a
        /// deferral whose move a power loss undid).
        var requeued: [String: WorkItem] = [:]
        /// Files kept in active/ waiting to be read again after a passing read error.
        var rereads = 0
        /// Spool moves whose events are durable but which failed; retried by the timer loop.
        var pendingMoves: [PendingMove] = []
        /// `--once`: files that could not be finished in this run, with why.
        var unfinished: [String] = []
        var once = false
        /// Recovery is done and the loops run: what `/readyz` and systemd's READY=1 wait for.
        var ready = false
        /// Files moved between folders since their folders were last fsynced.
        var unsyncedMoves = false
        var stopping = false
        var intakeIdle = false
        /// Set while the journal cannot be written: no new work is taken.
        var journalBroken = false
        var processed = 0
        /// Journal events written by this process, by kind, and deferrals by reason (for metrics).
        var eventCounts: [JournalEvent.Kind: Int] = [:]
        var deferralReasons: [String: Int] = [:]
        /// Told about every batch of events once it is durable (the feedback desk).
        var observer: (@Sendable ([JournalEvent]) -> Void)?
    }

    /// Creates a dispatcher; call `run` to start it.
    public convenience init(runtime: Runtime, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
                            clock: any Clock<Duration> = ContinuousClock()) {
        let spool = Spool(layout: SpoolLayout(root: runtime.configuration.spool))
        self.init(runtime: runtime, journal: journal, logger: logger, now: now, clock: clock) { name, folder in
            spool.read(name, in: folder, maximum: ActionDecoder.maximumSize)
        }
    }

    init(runtime: Runtime, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date, clock: any Clock<Duration>,
         readFile: @escaping @Sendable (_ name: String, _ folder: SpoolLayout.Folder) -> Spool.ReadResult) {
        self.spool = Spool(layout: SpoolLayout(root: runtime.configuration.spool))
        self.readFile = readFile
        self.notices = JournalNotices(directory: journal.directory, timeZone: runtime.configuration.timeZone, now: now)
        self.journal = journal
        self.logger = logger
        self.now = now
        self.clock = clock
        self.runtimeBox = Mutex(runtime)
        self.state = Mutex(State())
    }

    /// The runtime in force now; in-flight work keeps the one it started with.
    public var runtime: Runtime { runtimeBox.withLock { $0 } }

    /// Replaces configuration, templates and transports; work in flight finishes with the old ones.
    public func reload(_ runtime: Runtime) {
        runtimeBox.withLock { $0 = runtime }
        wakeIntake.signal()
        wakeTimer.signal()
    }

    /// Counters and gauges for ops, as of now.
    public func metrics() async -> DispatcherMetrics {
        let queued = await queue.count
        return state.withLock { state in
            DispatcherMetrics(
                events: state.eventCounts, deferralReasons: state.deferralReasons, queued: queued,
                inFlight: state.inFlight, deferred: state.deferred.count, journalBroken: state.journalBroken,
                journalSeq: journal.lastSeq, journal: journal.statistics
            )
        }
    }

    /// Number of actions that reached a terminal state in this run.
    public var processedCount: Int { state.withLock { $0.processed } }

    /// `--once`: the files left unfinished in active/ (with why); empty when everything due was done.
    public var unfinished: [String] { state.withLock { $0.unfinished } }

    /// Wakes intake and the timer at once (the spool watcher calls this when files arrive).
    public func nudge() {
        wakeIntake.signal()
        wakeTimer.signal()
    }

    /// Why the dispatcher cannot take work now, or nil when it can (recovered, running, journal writable).
    public var notReadyReason: String? {
        state.withLock { state in
            if state.stopping { return "stopping" }
            if !state.ready { return "starting: recovery from the journal is not done" }
            if state.journalBroken { return "the journal cannot be written" }
            return nil
        }
    }

    /// Runs until `stop()`, or with `once` until everything due now is done. `onReady` is called once recovery is
    /// done and work is taken (systemd's READY=1).
    public func run(once: Bool, onReady: @Sendable () -> Void = {}) async throws {
        state.withLock { $0.once = once }
        try spool.layout.create()
        try await recover()
        state.withLock { $0.ready = true }
        onReady()
        let configuration = runtime.configuration
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.intakeLoop(once: once) }
            group.addTask { await self.timerLoop(once: once) }
            for _ in 0..<configuration.delivery.concurrency {
                group.addTask { await self.workerLoop() }
            }
            if once {
                group.addTask { await self.finishWhenIdle() }
            }
            await group.waitForAll()
        }
        syncMovedFolders()
        let journalled = journal.statistics
        logger.info("dispatcher stopped", metadata: [
            "delivery.processed": "\(processedCount)", "journal.appends": "\(journalled.appends)",
            "journal.events": "\(journalled.events)", "journal.commits": "\(journalled.commits)",
            "journal.commit_ms": "\(String(format: "%.3f", journalled.commits == 0 ? 0 : journalled.commitSeconds * 1000 / Double(journalled.commits)))",
        ])
    }

    /// Stops taking work; in-flight sends finish (the caller bounds how long it waits).
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        wakeIntake.signal()
        wakeTimer.signal()
        Task { await queue.close() }
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Forgets a file name this process held: its file went to a terminal folder or is gone.
    func release(_ file: String) {
        _ = state.withLock { $0.held.remove(file) }
    }

    /// Makes the moves of the last round durable: one fsync per working and terminal folder, at most once per
    /// timer round (about a second), never per message. The journal already holds every event these moves follow,
    /// so a move a power loss undoes is redone at the next start; this keeps that window short.
    func syncMovedFolders() {
        let moved = state.withLock { state -> Bool in
            defer { state.unsyncedMoves = false }
            return state.unsyncedMoves
        }
        if moved { spool.syncFolders([.active, .deferred, .sent, .failed, .rejected, .cancelled]) }
    }

    // MARK: - Loops

    /// Claims files from new/ in batches, so 100,000 waiting files never sit in memory at once. A batch is claimed
    /// when the work in hand (queued and in flight) has fallen to half of `intake_batch`, and fills it up again: a
    /// batch is then at least half of `intake_batch` files, and the two folder fsyncs that make its claims durable
    /// are shared by all of them (refilling after every finished action made them two fsyncs per message).
    private func intakeLoop(once: Bool) async {
        let scanner = SpoolScanner(path: spool.layout.path(.new))
        while !isStopping {
            let configuration = runtime.configuration
            let queued = await queue.count
            let inHand = queued + state.withLock { $0.inFlight }
            let batch = configuration.delivery.intakeBatch
            // Also whenever the queue is empty, so an intake_batch smaller than twice the concurrency never idles workers.
            let room = inHand <= batch / 2 || queued == 0 ? max(0, batch - inHand) : 0
            let broken = state.withLock { $0.journalBroken }
            var claimed = 0
            var scannedAll = false
            if room > 0 && !broken {
                let (names, atEnd) = scanner.next(limit: room)
                scannedAll = atEnd
                var batch: [WorkItem] = []
                for name in names {
                    // A name still held (in active/ or deferred/) waits in new/ until its namesake is done.
                    guard state.withLock({ $0.held.insert(name).inserted }) else { continue }
                    do {
                        if try spool.claim(name) == .claimed {
                            batch.append(claimedItem(name))
                        } else {
                            release(name)
                        }
                    } catch {
                        release(name)
                        logger.error("cannot claim an action file; it stays in new/", metadata: ["spool.file": "\(name)", "error": "\(error)"])
                    }
                }
                if !batch.isEmpty {
                    // The claims survive a power loss before anything about them is journalled: one fsync per batch.
                    spool.syncFolders([.new, .active])
                    for item in batch { await queue.push(item) }
                    claimed = batch.count
                }
            }
            let idle = claimed == 0 && scannedAll
            state.withLock { $0.intakeIdle = idle }
            if idle || room == 0 || broken {
                await wakeIntake.wait(timeout: idle ? configuration.delivery.rescanInterval : 0.05)
            }
        }
    }

    /// Releases deferred files when their time comes.
    private func timerLoop(once: Bool) async {
        var lastCancelScan = Date.distantPast
        while !isStopping {
            let current = now()
            if current.timeIntervalSince(lastCancelScan) >= 1 {
                releaseCancelled()
                lastCancelScan = current
            }
            if state.withLock({ !$0.pendingMoves.isEmpty }) { retryPendingMoves() }
            syncMovedFolders()
            let due = state.withLock { $0.deadlines.popDue(current, limit: 512) }
            for file in due {
                let (item, requeued) = state.withLock { state -> (WorkItem?, Bool) in
                    if let item = state.requeued.removeValue(forKey: file) { return (item, true) }
                    guard let item = state.deferred.removeValue(forKey: file) else { return (nil, false) }
                    if let id = item.actionID, state.deferredByID[id] == file { state.deferredByID[id] = nil }
                    return (item, false)
                }
                guard let item else { continue }
                if requeued {
                    await queue.push(item)
                    continue
                }
                do {
                    if try spool.move(file, from: .deferred, to: .active) {
                        state.withLock { $0.unsyncedMoves = true }
                        await queue.push(item)
                    } else {
                        release(file)
                        logger.error("deferred file vanished from the spool", metadata: ["spool.file": "\(file)"])
                    }
                } catch {
                    // The file is still in deferred/ and its name stays held: it waits and is tried again shortly.
                    logger.error("cannot move a due action back to active/ just now; trying again shortly", metadata: [
                        "spool.file": "\(file)", "error": "\(error)",
                    ])
                    schedule(item, actionID: item.actionID, at: now().addingTimeInterval(10))
                }
            }
            if due.count == 512 { continue }
            let earliest = state.withLock { $0.deadlines.earliest }
            let wait = earliest.map { max(0.001, min(1.0, $0.timeIntervalSince(now()))) } ?? 1.0
            await wakeTimer.wait(timeout: wait)
        }
    }

    /// A cancel marker for a deferred action takes effect at once: the action is released to be cancelled now.
    private func releaseCancelled() {
        let waiting = state.withLock { $0.deferredByID.isEmpty }
        if waiting { return }
        let markers = spool.list(.cancel, actionFilesOnly: false)
        let current = now()
        state.withLock { state in
            for id in markers {
                guard let file = state.deferredByID[id] else { continue }
                state.deadlines.insert(current, file)
            }
        }
    }

    private func workerLoop() async {
        while let item = await queue.next() {
            state.withLock { $0.inFlight += 1 }
            await process(item, runtime: runtime)
            state.withLock { $0.inFlight -= 1 }
            wakeIntake.signal()
        }
    }

    /// In `--once` mode: stop when intake found nothing more, nothing is queued or in flight, nothing deferred is due
    /// and no claimed file waits to be read again. A terminal move that keeps failing is given 10 seconds, then
    /// reported as unfinished (its event is durable: the next start completes it).
    private func finishWhenIdle() async {
        var quietRounds = 0
        var stuckRounds = 0
        while !isStopping {
            try? await Task.sleep(for: .milliseconds(20))
            let current = now()
            let (idle, inFlight, dueSoon, requeued, moves) = state.withLock {
                ($0.intakeIdle, $0.inFlight, ($0.deadlines.earliest ?? .distantFuture) <= current, $0.requeued.count + $0.rereads, $0.pendingMoves.count)
            }
            let queued = await queue.count
            guard idle && inFlight == 0 && queued == 0 && !dueSoon && requeued == 0 else {
                quietRounds = 0
                continue
            }
            if moves > 0 {
                stuckRounds += 1
                if stuckRounds < 500 { continue }
                state.withLock { state in
                    state.unfinished += state.pendingMoves.map { "\($0.file): cannot be moved to \($0.to.rawValue)/ (the next start completes the move)" }
                    state.pendingMoves.removeAll()
                }
            }
            quietRounds += 1
            if quietRounds >= 3 { stop() }
        }
    }
}

/// A wake-up signal a loop can wait on with a timeout; extra signals collapse into one.
final class AsyncWake: Sendable {
    private let pending = Mutex<(signalled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = pending.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on a signal or after `timeout` seconds, whichever comes first.
    func wait(timeout: TimeInterval) async {
        let milliseconds = timeout.isFinite ? Int(min(max(1, timeout * 1000), 86_400_000)) : 86_400_000
        let timer = Task { [self] in
            try? await Task.sleep(for: .milliseconds(milliseconds))
            if !Task.isCancelled { signal() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = pending.withLock { state -> Bool in
                if state.signalled {
                    state.signalled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
        pending.withLock { $0.signalled = false }
    }
}

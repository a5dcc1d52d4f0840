import Foundation
import Logging
import Synchronization

/// Moves actions through the spool: intake from new/, decisions, sending, journalling, terminal folders.
///
/// The journal is the write-ahead log: every spool move happens only after the event describing it is durable,
/// and start-up recovery (`Dispatcher+Recovery.swift`) finishes whatever a crash interrupted.
public final class Dispatcher: Sendable {
    let spool: Spool
    let journal: Journal
    let logger: Logger
    let now: @Sendable () -> Date
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
        var inFlight = 0
        var stopping = false
        var intakeIdle = false
        /// Set while the journal cannot be written: no new work is taken.
        var journalBroken = false
        var processed = 0
        /// Journal events written by this process, by kind, and deferrals by reason (for metrics).
        var eventCounts: [JournalEvent.Kind: Int] = [:]
        var deferralReasons: [String: Int] = [:]
    }

    /// Creates a dispatcher; call `run` to start it.
    public init(runtime: Runtime, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.spool = Spool(layout: SpoolLayout(root: runtime.configuration.spool))
        self.journal = journal
        self.logger = logger
        self.now = now
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
                journalSeq: journal.lastSeq
            )
        }
    }

    /// Number of actions that reached a terminal state in this run.
    public var processedCount: Int { state.withLock { $0.processed } }

    /// Runs until `stop()`, or with `once` until everything due now is done.
    public func run(once: Bool) async throws {
        try spool.layout.create()
        try await recover()
        let configuration = runtime.configuration
        let watcher = once ? nil : SpoolWatcher(layout: spool.layout) { [wakeIntake, wakeTimer] in
            wakeIntake.signal()
            wakeTimer.signal()
        }
        defer { watcher?.stop() }
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
        logger.info("dispatcher stopped", metadata: ["delivery.processed": "\(processedCount)"])
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

    // MARK: - Loops

    /// Claims files from new/ in batches, so 100,000 waiting files never sit in memory at once.
    private func intakeLoop(once: Bool) async {
        let scanner = SpoolScanner(path: spool.layout.path(.new))
        while !isStopping {
            let configuration = runtime.configuration
            let room = max(0, configuration.delivery.intakeBatch - (await queue.count) - state.withLock { $0.inFlight })
            let broken = state.withLock { $0.journalBroken }
            var claimed = 0
            var scannedAll = false
            if room > 0 && !broken {
                let (names, atEnd) = scanner.next(limit: room)
                scannedAll = atEnd
                for name in names {
                    do {
                        if try spool.claim(name) == .claimed {
                            await queue.push(WorkItem(file: name))
                            claimed += 1
                        }
                    } catch {
                        logger.error("cannot claim an action file; it stays in new/", metadata: ["spool.file": "\(name)", "error": "\(error)"])
                    }
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
            let due = state.withLock { $0.deadlines.popDue(current, limit: 512) }
            for file in due {
                let item = state.withLock { state -> WorkItem? in
                    guard let item = state.deferred.removeValue(forKey: file) else { return nil }
                    if let id = item.actionID, state.deferredByID[id] == file { state.deferredByID[id] = nil }
                    return item
                }
                guard let item else { continue }
                if (try? spool.move(file, from: .deferred, to: .active)) == true {
                    await queue.push(item)
                } else {
                    logger.error("deferred file vanished from the spool", metadata: ["spool.file": "\(file)"])
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

    /// In `--once` mode: stop when intake found nothing more, nothing is queued or in flight, and nothing deferred is due.
    private func finishWhenIdle() async {
        var quietRounds = 0
        while !isStopping {
            try? await Task.sleep(for: .milliseconds(20))
            let current = now()
            let (idle, inFlight, dueSoon) = state.withLock { ($0.intakeIdle, $0.inFlight, ($0.deadlines.earliest ?? .distantFuture) <= current) }
            let queued = await queue.count
            if idle && inFlight == 0 && queued == 0 && !dueSoon {
                quietRounds += 1
                if quietRounds >= 3 { stop() }
            } else {
                quietRounds = 0
            }
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
        let timer = Task { [self] in
            try? await Task.sleep(for: .milliseconds(Int(max(1, timeout * 1000))))
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

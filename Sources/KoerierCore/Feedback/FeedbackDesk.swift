import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's `FeedbackSink`: matches delivery reports, bounces and complaints to sent actions and journals
/// `delivered`, `undelivered` or `complained` through the one journal, returning only when that is durable.
///
/// It knows the actions of the journal window (`FeedbackBook`, built at start) and follows the dispatcher's live
/// events (`observe`). A report for an action not sent yet is kept in `<spool>/inbound/held-*.report` and applied when
/// its `sent` is journalled, or dropped (logged, counted) after `holdFor`. As a service it applies and expires those.
public final class FeedbackDesk: FeedbackSink, Service {
    private let journal: Journal
    private let inbound: String
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// How long a report waits for its `sent`.
    public let holdFor: TimeInterval
    private let state: Mutex<State>
    private let wake = AsyncWake()

    private struct State: ~Copyable {
        var book: FeedbackBook
        /// Held reports by file name.
        var held: [String: HeldReport] = [:]
        /// Actions with a decision being made durable: a second report for one waits its turn.
        var busy: Set<UInt64> = []
        var counts: [String: Int] = [:]
    }

    /// Creates the desk; call `load` before handing it reports.
    public init(journal: Journal, inbound: String, logger: Logger, holdFor: TimeInterval = 3 * 86_400, capacity: Int = 200_000,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.journal = journal
        self.inbound = inbound
        self.logger = logger
        self.holdFor = holdFor
        self.now = now
        self.state = Mutex(State(book: FeedbackBook(capacity: capacity)))
    }

    /// Reads the journal from `since` (the dispatcher's window) and the held reports in inbound/.
    public func load(since: CalendarDate?) {
        var book = FeedbackBook(capacity: state.withLock { $0.book.capacity })
        JournalReader.forEach(in: journal.directory, since: since) { book.apply($0) }
        try? FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
        var held: [String: HeldReport] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: inbound)) ?? [] where Self.isHeldName(name) {
            guard let data = FileManager.default.contents(atPath: inbound + "/" + name), let report = HeldReport(bytes: [UInt8](data)) else {
                logger.warning("an unreadable held report is removed", metadata: ["feedback.file": "\(name)"])
                unlink(inbound + "/" + name)
                continue
            }
            held[name] = report
        }
        state.withLock { state in
            state.book = book
            state.held = held
        }
        wake.signal()
    }

    /// True for the file names of held reports.
    static func isHeldName(_ name: String) -> Bool { name.hasPrefix(HeldReport.prefix) && name.hasSuffix(".report") }

    /// Counters for logs and metrics, by outcome (`recorded.undelivered`, `held`, `unknown`, `dropped`, ...).
    public var counts: [String: Int] { state.withLock { $0.counts } }

    /// The action id with this FNV-1a hash, if it is in the window (long ids in VERP tokens).
    public func actionID(hash: UInt64) -> String? { state.withLock { $0.book.actionID(hash: hash) } }

    /// Follows events the dispatcher has made durable (its observer hook).
    public func observe(_ events: [JournalEvent]) {
        var sent = false
        state.withLock { state in
            for event in events where event.event == .sent || event.event.isDeliveryReport {
                state.book.apply(event)
                sent = sent || event.event == .sent
            }
        }
        if sent { wake.signal() }
    }

    /// Matches `report`, journals what it means (or holds it durably), and returns once that is durable.
    public func accept(_ report: FeedbackReport) async -> FeedbackAcceptance {
        let result = await decideAndRecord(report)
        if case .hold = result {
            let held = HeldReport(report: report, heldAt: now())
            let name = "\(HeldReport.prefix)\(Int(held.heldAt.timeIntervalSince1970))-\(UInt64.random(in: 0...UInt64.max)).report"
            do {
                try DurableFile.write(held.encoded(), to: inbound + "/" + name)
            } catch {
                logger.error("cannot keep a report for an action not sent yet", metadata: ["feedback.source": "\(report.source)", "error": "\(error)"])
                count("failed")
                return .failed(why: "cannot keep the report: \(error)")
            }
            state.withLock { $0.held[name] = held }
            count("held")
            logger.info("report kept until its action is sent", metadata: ["feedback.source": "\(report.source)", "feedback.file": "\(name)"])
            return .held
        }
        return result.acceptance
    }

    private enum Outcome {
        case recorded(JournalEvent.Kind)
        case ignored(String)
        case hold
        case unknown(String)
        case failed(String)

        var acceptance: FeedbackAcceptance {
            switch self {
            case .recorded(let kind): return .recorded(kind)
            case .ignored(let why): return .ignored(why: why)
            case .hold: return .held
            case .unknown(let why): return .unknown(why: why)
            case .failed(let why): return .failed(why: why)
            }
        }
    }

    /// Decides under the lock, journals outside it, then commits the new status.
    private func decideAndRecord(_ report: FeedbackReport) async -> Outcome {
        while true {
            let step = state.withLock { state -> (FeedbackBook.Decision?, UInt64?) in
                let key = state.book.find(report.match)
                if let key, state.busy.contains(key) { return (nil, key) }
                let decision = state.book.decide(report, now: now())
                if let key, case .record = decision { state.busy.insert(key) }
                if case .partCounted(let id, let status) = decision { state.book.commit(actionID: id, status: status) }
                return (decision, key)
            }
            guard let decision = step.0 else {
                // Another report for this action is being made durable; its outcome decides this one.
                if Task.isCancelled { return .failed("stopped while another report for the action was being journalled") }
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            switch decision {
            case .hold:
                return .hold
            case .unknown(let why):
                count("unknown")
                logger.notice("report for no known action", metadata: ["feedback.source": "\(report.source)", "feedback.why": "\(why)"])
                return .unknown(why)
            case .partCounted(_, let status):
                count("ignored")
                return .ignored("part \(status.deliveredParts.count) of \(status.parts) delivered; the message is not complete yet")
            case .ignore(let why):
                count("ignored")
                logger.info("report changes nothing", metadata: ["feedback.source": "\(report.source)", "feedback.why": "\(why)"])
                return .ignored(why)
            case .record(let event, let status):
                let key = step.1
                defer { if let key { state.withLock { _ = $0.busy.remove(key) } } }
                do {
                    try await journal.append(event)
                } catch {
                    count("failed")
                    logger.error("cannot journal a delivery report", metadata: ["action.id": "\(event.action)", "error": "\(error)"])
                    return .failed("the journal cannot be written: \(error)")
                }
                state.withLock { $0.book.commit(actionID: event.action, status: status) }
                count("recorded.\(event.event.rawValue)")
                logger.info("delivery status journalled", metadata: [
                    "action.id": "\(event.action)", "feedback.event": "\(event.event.rawValue)", "feedback.code": "\(event.codeText ?? "-")",
                ])
                return .recorded(event.event)
            }
        }
    }

    private func count(_ key: String) {
        state.withLock { $0.counts[key, default: 0] += 1 }
    }

    /// Applies held reports whose action is now sent and drops those held longer than `holdFor`; returns how many
    /// are still held.
    @discardableResult
    public func applyHeld() async -> Int {
        let held = state.withLock { $0.held }
        for (name, item) in held.sorted(by: { $0.value.heldAt < $1.value.heldAt }) {
            let outcome = await decideAndRecord(item.report)
            switch outcome {
            case .hold:
                if now().timeIntervalSince(item.heldAt) > holdFor {
                    count("dropped")
                    logger.warning("a held report is dropped: its action was not sent within the hold period", metadata: [
                        "feedback.source": "\(item.report.source)", "feedback.file": "\(name)",
                    ])
                    remove(name)
                }
            case .failed:
                return held.count
            default:
                remove(name)
            }
        }
        return state.withLock { $0.held.count }
    }

    private func remove(_ name: String) {
        unlink(inbound + "/" + name)
        DurableFile.syncFolder(inbound)
        state.withLock { _ = $0.held.removeValue(forKey: name) }
    }

    /// The service: applies held reports when a `sent` arrives (and every minute, for the hold period).
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let waiting = state.withLock { !$0.held.isEmpty }
            if waiting { await applyHeld() }
            // The wait does not end on cancellation: a graceful shutdown signals it instead.
            await withGracefulShutdownHandler { [wake] in await wake.wait(timeout: 60) } onGracefulShutdown: { [wake] in wake.signal() }
        }
    }
}

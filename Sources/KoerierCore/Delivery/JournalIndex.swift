import Foundation

/// What the journal says about recent actions, rebuilt at start-up: the basis of crash recovery.
public struct JournalIndex: Sendable {
    /// The history of one spool file.
    public struct History: Sendable, Equatable {
        public var actionID: String
        public var received = false
        public var attempts = 0
        public var firstAttempt: Date?
        /// When the last attempt began.
        public var lastAttempt: Date?
        /// A `sending` with no outcome after it: a crash hit between handing over and recording the answer.
        public var openSending = false
        /// The next attempt may repeat an earlier one whose outcome was never known.
        public var pendingRepeat = false
        public var terminal: JournalEvent.Kind?
        public var terminalReason: String?
        public var nextAttempt: Date?
        public var debtor: String?
    }

    /// Histories by spool file name.
    public private(set) var files: [String: History] = [:]
    /// Action ids that reached a terminal event, as 64-bit FNV-1a hashes: 8 bytes an action instead of a string,
    /// so 100,000 finished actions cost a few MiB. (Two different ids share a hash with a chance of about 1 in 10^7
    /// at a million actions; the cost would be one action rejected as a duplicate, with a reason, never a double send.)
    private var terminalIDs: Set<UInt64> = []
    /// When each debtor was last sent a message; kept only when pacing is on.
    public private(set) var debtorLastSent: [String: Date] = [:]
    /// Whether `debtorLastSent` is kept.
    public var tracksDebtors = false

    public init(tracksDebtors: Bool = false) {
        self.tracksDebtors = tracksDebtors
    }

    /// True when an action with this id already ended.
    public func hasEnded(_ actionID: String) -> Bool {
        terminalIDs.contains(StableHash.fnv1a64(actionID))
    }

    /// Reads the journal files dated `since` or later. Full histories are kept only for the files in `keep`
    /// (those in active/ and deferred/); of every other action only the fact that it ended, as a hash.
    public static func build(journal directory: String, since: CalendarDate?, keep: Set<String>? = nil, tracksDebtors: Bool = false) -> JournalIndex {
        var index = JournalIndex(tracksDebtors: tracksDebtors)
        JournalReader.forEach(in: directory, since: since) { event in
            if let keep, let file = event.file, !keep.contains(file) {
                index.applyLive(event)
            } else {
                index.apply(event)
            }
        }
        return index
    }

    /// Folds one event into the index.
    public mutating func apply(_ event: JournalEvent) {
        guard let file = event.file else { return }
        var history = files[file] ?? History(actionID: event.action)
        if history.terminal != nil && !event.event.isTerminal && event.event != .delivered && event.event != .undelivered {
            // The engine reused the file name for a new action after the earlier one ended: a new history.
            history = History(actionID: event.action)
        }
        history.actionID = event.action
        if let debtor = event.debtor { history.debtor = debtor }
        switch event.event {
        case .received:
            history.received = true
        case .sending:
            history.attempts = max(history.attempts, event.attempt ?? history.attempts + 1)
            if history.firstAttempt == nil { history.firstAttempt = event.ts }
            history.lastAttempt = event.ts
            history.openSending = true
        case .deferred:
            // A retry after an attempt that went unanswered keeps the mark (`possible_repeat` on the deferred event).
            history.pendingRepeat = event.possibleRepeat == true
            history.openSending = false
            history.nextAttempt = event.nextAttempt
        case .sent:
            history.openSending = false
            history.pendingRepeat = false
            if tracksDebtors, let debtor = history.debtor { debtorLastSent[debtor] = max(debtorLastSent[debtor] ?? event.ts, event.ts) }
            fallthrough
        case .failed, .rejected, .cancelled, .expired:
            history.openSending = false
            history.terminal = event.event
            history.terminalReason = event.reason ?? event.detail
            terminalIDs.insert(StableHash.fnv1a64(event.action))
        case .delivered, .undelivered:
            break
        }
        files[file] = history
    }

    /// Folds an event written by this run: only what later decisions need (terminal ids, pacing), not per-file history.
    public mutating func applyLive(_ event: JournalEvent) {
        if event.event.isTerminal { terminalIDs.insert(StableHash.fnv1a64(event.action)) }
        if tracksDebtors, event.event == .sent, let debtor = event.debtor { debtorLastSent[debtor] = event.ts }
        if let file = event.file, files[file] != nil { files[file] = nil }
    }
}

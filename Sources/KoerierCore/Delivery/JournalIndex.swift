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

    /// Histories by spool file name: the files in active/ and deferred/, and any other file whose history has not
    /// ended (after a power loss undid a claim, that file is back in new/ and its history still counts).
    public private(set) var files: [String: History] = [:]
    /// How an action ended: its terminal event and the hash of the file name it ended under.
    public struct Ending: Sendable, Equatable {
        public var kind: JournalEvent.Kind
        /// 56 bits of the FNV-1a hash of the file name (the rest of a table slot holds the kind).
        public var file: UInt64

        public init(kind: JournalEvent.Kind, fileName: String) {
            self.kind = kind
            self.file = StableHash.fnv1a64(fileName) & 0x00FF_FFFF_FFFF_FFFF
        }

        init(kind: JournalEvent.Kind, file: UInt64) {
            self.kind = kind
            self.file = file
        }

        /// True when the action ended under the file name `name`.
        public func ended(under name: String) -> Bool { file == StableHash.fnv1a64(name) & 0x00FF_FFFF_FFFF_FFFF }
    }
    /// Action ids that reached a terminal event, as 64-bit FNV-1a hashes: a few bytes an action instead of strings,
    /// so 100,000 finished actions cost a few MiB. (Two different ids share a hash with a chance of about 1 in 10^7
    /// at a million actions; the cost would be one action rejected as a duplicate, with a reason, never a double send.)
    private var endings = EndingsTable()
    /// When each debtor was last sent a message; kept only when pacing is on.
    public private(set) var debtorLastSent: [String: Date] = [:]
    /// Whether `debtorLastSent` is kept.
    public var tracksDebtors = false

    public init(tracksDebtors: Bool = false) {
        self.tracksDebtors = tracksDebtors
    }

    /// True when an action with this id already ended.
    public func hasEnded(_ actionID: String) -> Bool {
        endings[StableHash.fnv1a64(actionID)] != nil
    }

    /// How the action with this id ended, if it did.
    public func ending(of actionID: String) -> Ending? {
        endings[StableHash.fnv1a64(actionID)]
    }

    /// Pacing: a message to this debtor is going out now, so the next one waits for the interval.
    public mutating func reserve(debtor: String, at date: Date) {
        if tracksDebtors { debtorLastSent[debtor] = max(debtorLastSent[debtor] ?? date, date) }
    }

    /// Reads the journal files dated `since` or later, streaming. Full histories are kept for the files in `keep`
    /// (those in active/ and deferred/) and, until they end, for other files; of every ended action only how it
    /// ended, as hashes. Memory grows with the actions in the window, not with the size of the day files.
    public static func build(journal directory: String, since: CalendarDate?, keep: Set<String>? = nil, tracksDebtors: Bool = false) -> JournalIndex {
        var index = JournalIndex(tracksDebtors: tracksDebtors)
        JournalReader.forEach(in: directory, since: since) { event in
            index.apply(event)
            if let keep, let file = event.file, !keep.contains(file), event.event.isTerminal {
                index.files[file] = nil
            }
        }
        return index
    }

    /// Folds one event into the index.
    public mutating func apply(_ event: JournalEvent) {
        guard let file = event.file else { return }
        // Delivery reports come after the end and change nothing the spool needs.
        if event.event.isDeliveryReport { return }
        var history = files[file] ?? History(actionID: event.action)
        if history.terminal != nil && !event.event.isTerminal {
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
            endings[StableHash.fnv1a64(event.action)] = Ending(kind: event.event, fileName: file)
        case .delivered, .undelivered, .complained:
            break
        }
        files[file] = history
    }

    /// Folds an event written by this run: only what later decisions need (terminal ids, pacing), not per-file history.
    public mutating func applyLive(_ event: JournalEvent) {
        if event.event.isTerminal {
            endings[StableHash.fnv1a64(event.action)] = Ending(kind: event.event, fileName: event.file ?? event.action)
        }
        if tracksDebtors, event.event == .sent, let debtor = event.debtor { debtorLastSent[debtor] = event.ts }
        if let file = event.file, files[file] != nil { files[file] = nil }
    }
}

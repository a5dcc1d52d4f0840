import Foundation

/// What the journal says about recent actions, rebuilt at start-up: the basis of crash recovery.
public struct JournalIndex: Sendable {
    /// The history of one spool file.
    public struct History: Sendable, Equatable {
        public var actionID: String
        public var received = false
        public var attempts = 0
        public var firstAttempt: Date?
        /// A `sending` with no outcome after it: a crash hit between handing over and recording the answer.
        public var openSending = false
        /// The next attempt may repeat an earlier one whose outcome was never known.
        public var pendingRepeat = false
        public var terminal: JournalEvent.Kind?
        public var terminalReason: String?
        public var nextAttempt: Date?
        public var debtor: String?
        public var lastSent: Date?
    }

    /// Histories by spool file name.
    public private(set) var files: [String: History] = [:]
    /// Action ids that reached a terminal event, with the file that carried them, both as 64-bit FNV-1a hashes:
    /// 16 bytes an action instead of two strings, so 100,000 finished actions cost about 3 MiB, not 30.
    /// (Two different ids share a hash with a chance of about 1 in 10^9 at a million actions; the cost would be
    /// one action rejected as a duplicate, with a reason, never a double send.)
    private var terminalIDs: [UInt64: UInt64] = [:]
    /// When each debtor was last sent a message; kept only when pacing is on.
    public private(set) var debtorLastSent: [String: Date] = [:]
    /// Whether `debtorLastSent` is kept.
    public var tracksDebtors = false

    public init(tracksDebtors: Bool = false) {
        self.tracksDebtors = tracksDebtors
    }

    /// The file that carried a terminal event for `actionID`, as a hash (see `fileKey`), if any.
    public func terminalFile(of actionID: String) -> UInt64? {
        terminalIDs[StableHash.fnv1a64(actionID)]
    }

    /// The key a file name is compared by in `terminalFile(of:)`.
    public static func fileKey(_ file: String) -> UInt64 { StableHash.fnv1a64("file:" + file) }

    /// Reads the journal files dated `since` or later.
    public static func build(journal directory: String, since: CalendarDate?, tracksDebtors: Bool = false) -> JournalIndex {
        var index = JournalIndex(tracksDebtors: tracksDebtors)
        JournalReader.forEach(in: directory, since: since) { index.apply($0) }
        return index
    }

    /// Folds one event into the index.
    public mutating func apply(_ event: JournalEvent) {
        guard let file = event.file else { return }
        var history = files[file] ?? History(actionID: event.action)
        history.actionID = event.action
        if let debtor = event.debtor { history.debtor = debtor }
        switch event.event {
        case .received:
            history.received = true
        case .sending:
            history.attempts = max(history.attempts, event.attempt ?? history.attempts + 1)
            if history.firstAttempt == nil { history.firstAttempt = event.ts }
            history.openSending = true
        case .deferred:
            // A retry after an attempt that went unanswered keeps the mark (`possible_repeat` on the deferred event).
            history.pendingRepeat = event.possibleRepeat == true
            history.openSending = false
            history.nextAttempt = event.nextAttempt
        case .sent:
            history.openSending = false
            history.pendingRepeat = false
            history.lastSent = event.ts
            if tracksDebtors, let debtor = history.debtor { debtorLastSent[debtor] = max(debtorLastSent[debtor] ?? event.ts, event.ts) }
            fallthrough
        case .failed, .rejected, .cancelled, .expired:
            history.openSending = false
            history.terminal = event.event
            history.terminalReason = event.reason ?? event.detail
            terminalIDs[StableHash.fnv1a64(event.action)] = Self.fileKey(file)
        case .delivered, .undelivered:
            break
        }
        files[file] = history
    }

    /// Folds an event written by this run: only what later decisions need (terminal ids, pacing), not per-file history.
    public mutating func applyLive(_ event: JournalEvent) {
        if event.event.isTerminal { terminalIDs[StableHash.fnv1a64(event.action)] = Self.fileKey(event.file ?? event.action) }
        if tracksDebtors, event.event == .sent, let debtor = event.debtor { debtorLastSent[debtor] = event.ts }
        if let file = event.file, files[file] != nil { files[file] = nil }
    }

    /// Forgets files that are not in `keep` (terminal ids stay), to bound memory after start-up.
    public mutating func retain(files keep: Set<String>) {
        files = files.filter { keep.contains($0.key) }
    }
}

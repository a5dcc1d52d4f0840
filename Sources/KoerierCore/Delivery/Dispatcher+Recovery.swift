import Foundation

extension Dispatcher {
    /// Finishes what a crash interrupted, from the journal (the write-ahead log) and the spool:
    /// - a file with a terminal event is moved to its terminal folder (the event is not written again);
    /// - a file with a `sending` and no outcome is ambiguous: email is resent with the same Message-ID and
    ///   marked `possible_repeat`; SMS asks the provider or follows `sms.ambiguous`;
    /// - anything else is simply due again (active/) or waits for its recorded `next_attempt` (deferred/).
    func recover() async throws {
        let configuration = runtime.configuration
        let windowDays = Int(configuration.delivery.retry.maximumAge / 86_400) + 3
        let since = RFC3339.utcDay(now()).adding(days: -windowDays)
        let active = spool.list(.active)
        let deferred = spool.list(.deferred)
        let index = JournalIndex.build(journal: journal.directory, since: since, keep: Set(active + deferred),
                                       tracksDebtors: configuration.delivery.debtorPacing != nil)
        state.withLock { state in
            state.index = index
            state.held = Set(active + deferred)
        }

        var resumed = 0, completed = 0, waiting = 0
        for (folder, files) in [(SpoolLayout.Folder.active, active), (.deferred, deferred)] {
            for file in files {
                let history = index.files[file]
                if let terminal = history?.terminal, carries(file, in: folder, actionID: history?.actionID) {
                    completeTerminal(file, from: folder, kind: terminal, reason: history?.terminalReason)
                    completed += 1
                    continue
                }
                let item = Self.item(file, history: history)
                if folder == .active, let next = history?.nextAttempt, history?.openSending == false, next > now() {
                    // A deferral whose move a power loss undid: it still waits for its time, in active/.
                    hold(item, until: next)
                    waiting += 1
                } else if folder == .active {
                    await queue.push(item)
                    resumed += 1
                } else {
                    schedule(item, actionID: history?.actionID, at: history?.nextAttempt ?? now())
                    waiting += 1
                }
            }
        }
        if resumed + completed + waiting > 0 {
            logger.notice("recovered the spool after a restart", metadata: [
                "recovery.resumed": "\(resumed)", "recovery.completed": "\(completed)", "recovery.deferred": "\(waiting)",
            ])
        }
    }

    /// A work item with the life its journal history tells (attempts, ambiguity, `received` already written).
    static func item(_ file: String, history: JournalIndex.History?) -> WorkItem {
        var item = WorkItem(file: file)
        guard let history, history.terminal == nil else { return item }
        item.actionID = history.actionID
        item.life.attempts = history.attempts
        item.life.firstAttempt = history.firstAttempt
        item.life.lastAttempt = history.lastAttempt
        item.life.received = history.received
        item.life.ambiguous = history.openSending || history.pendingRepeat
        return item
    }

    /// A file just claimed from new/. Its name has a history only when a power loss undid an earlier claim of it
    /// (a `sending` without an answer stays ambiguous); `process` drops the history if the file holds another action.
    func claimedItem(_ file: String) -> WorkItem {
        Self.item(file, history: state.withLock { $0.index.files[file] })
    }

    /// True when the file in the spool is the action the journal history is about (a file name can be reused
    /// by a later action; an unreadable file was journalled under its own name).
    func carries(_ file: String, in folder: SpoolLayout.Folder, actionID: String?) -> Bool {
        guard case .bytes(let bytes) = readFile(file, folder) else { return true }
        return (ActionDecoder.peekID(bytes) ?? file) == actionID
    }

    /// Moves a file whose terminal event is already durable to where that event says it belongs (no new event).
    func completeTerminal(_ file: String, from folder: SpoolLayout.Folder, kind: JournalEvent.Kind, reason: String?) {
        let target = ActionLifecycle.folder(for: kind)
        let text = reason ?? "\(kind.rawValue) before a restart (see koerier journal --event \(kind.rawValue))"
        finish(file, from: folder, to: target, reason: kind == .sent ? nil : text)
    }

    /// Puts a file in the deferred set with its deadline (the file is already in deferred/).
    func schedule(_ original: WorkItem, actionID: String?, at due: Date) {
        var item = original
        item.actionID = actionID ?? item.actionID
        state.withLock { state in
            state.deferred[item.file] = item
            state.deadlines.insert(due, item.file)
            if let actionID { state.deferredByID[actionID] = item.file }
        }
        wakeTimer.signal()
    }
}

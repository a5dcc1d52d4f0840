import Foundation
import Logging
import Synchronization

extension Dispatcher {
    /// Takes one claimed file (in active/) to its next state: terminal, deferred, or sent.
    /// The decisions are `ActionLifecycle`'s; this only reads, renders, sends and carries its steps out.
    func process(_ claimed: WorkItem, runtime: Runtime) async {
        var item = claimed
        let known = state.withLock { $0.index.files[item.file] }
        if let terminal = known?.terminal, carries(item.file, in: .active, actionID: known?.actionID) {
            // The journal already ended this file (a crash hit before its move): finish the move only.
            completeTerminal(item.file, from: .active, kind: terminal, reason: known?.terminalReason)
            return
        }
        let bytes: [UInt8]
        switch readFile(item.file, .active) {
        case .bytes(let content):
            bytes = content
        case .missing:
            release(item.file)
            logger.error("a claimed action file vanished from the spool", metadata: ["spool.file": "\(item.file)"])
            return
        case .tooLarge(let size):
            await refuse(item, id: item.file, action: nil, reason: "the file is \(size) bytes; an action file is at most 1 MiB")
            return
        case .temporary(let why):
            // Nothing is wrong with the file; the system could not read it now. It stays claimed and comes back.
            retryRead(item, why: why)
            return
        case .unreadable(let why):
            await refuse(item, id: item.file, action: nil, reason: "cannot be read: \(why)")
            return
        }
        let action: Action
        do {
            action = try ActionDecoder.decode(bytes)
        } catch {
            await refuse(item, id: ActionDecoder.peekID(bytes) ?? item.file, action: nil, reason: error.description)
            return
        }
        if let known = item.actionID, known != action.id {
            // The history found for this file name was another action's: this one starts fresh.
            item.life = ActionLifecycle()
        }
        if let terminal = resurfaced(action.id, file: item.file) {
            // A power loss undid the claim rename of an action that had already ended: finish its move, no new event.
            completeTerminal(item.file, from: .active, kind: terminal, reason: nil)
            return
        }
        if let duplicate = claimID(action.id, file: item.file) {
            await refuse(item, id: action.id, action: action, reason: duplicate)
            return
        }
        defer { state.withLock { $0.activeIDs[action.id] = nil } }
        await handle(item, action: action, runtime: runtime)
    }

    /// A temporary read error: the file stays claimed and is read again shortly. With `--once` it is tried a few
    /// times in the same run; a file still unreadable then is reported, and the run exits non-zero.
    private func retryRead(_ original: WorkItem, why: String) {
        var item = original
        item.readRetries += 1
        let once = state.withLock { $0.once }
        if once && item.readRetries > Self.onceReadRetries {
            logger.error("cannot read a claimed action file; it stays in active/ for the next run", metadata: ["spool.file": "\(item.file)", "error": "\(why)"])
            state.withLock { $0.unfinished.append("\(item.file): \(why)") }
            return
        }
        logger.warning("cannot read a claimed action file just now; trying again shortly", metadata: ["spool.file": "\(item.file)", "error": "\(why)"])
        let delay = once ? 0.2 * Double(1 << min(item.readRetries, 5)) : 5
        state.withLock { $0.rereads += 1 }
        Task { [self] in
            try? await clock.sleep(for: .milliseconds(Int(delay * 1000)))
            await queue.push(item)
            state.withLock { $0.rereads -= 1 }
        }
    }

    /// Read attempts for one file in a `--once` run before it is reported as unfinished.
    static let onceReadRetries = 5

    /// Keeps an item in active/ until `due` (wall clock), then puts it back in the ready queue.
    func hold(_ item: WorkItem, until due: Date) {
        state.withLock { state in
            state.requeued[item.file] = item
            state.deadlines.insert(due, item.file)
        }
        wakeTimer.signal()
    }

    /// The terminal event of an action that ended under this same file name, when the file is back in the spool
    /// (a power loss undid its claim rename) and its terminal folder does not hold it: the move is to be finished.
    private func resurfaced(_ id: String, file: String) -> JournalEvent.Kind? {
        guard let ended = state.withLock({ $0.index.ending(of: id) }), ended.ended(under: file) else { return nil }
        let folder = ActionLifecycle.folder(for: ended.kind)
        return spool.exists(file, in: folder) ? nil : ended.kind
    }

    /// Marks `id` as being worked on; returns why it is a duplicate when another file carries the same id.
    private func claimID(_ id: String, file: String) -> String? {
        state.withLock { state -> String? in
            // A file whose own history ended was completed in process(); any other file with an id that ended is a repeat.
            if state.index.hasEnded(id) {
                return "duplicate action id \"\(id)\": an action with this id already ended (see koerier journal --action \(id)); an id is used once"
            }
            if let other = state.activeIDs[id] ?? state.deferredByID[id], other != file {
                return "duplicate action id \"\(id)\": file \(other) with the same id is still being handled"
            }
            state.activeIDs[id] = file
            return nil
        }
    }

    /// Rejects a file that cannot become a message.
    func refuse(_ original: WorkItem, id: String, action: Action?, reason: String, pending: [JournalEvent] = []) async {
        var item = original
        var carried = pending
        let step = item.life.handle(.invalid(reason: "\(item.file): \(reason)"), policy: policy(runtime), now: now(), jitterSeed: 0)
        _ = await carryOut(step, item: item, action: action, id: id, prepared: nil, pending: &carried)
    }

    private func policy(_ runtime: Runtime) -> ActionLifecycle.Policy {
        ActionLifecycle.Policy(retry: runtime.configuration.delivery.retry, smsAmbiguousResend: runtime.configuration.sms.ambiguousResend)
    }

    /// Plans, renders, sends and concludes one valid action, one lifecycle step at a time.
    private func handle(_ original: WorkItem, action: Action, runtime: Runtime) async {
        var item = original
        let policy = policy(runtime)
        let seed = StableHash.fnv1a64(action.id)
        var pending: [JournalEvent] = []

        var step = item.life.handle(.planned(plan(action, runtime: runtime), id: action.id, expiresAt: action.expiresAt),
                                    policy: policy, now: now(), jitterSeed: seed)
        guard await carryOut(step, item: item, action: action, id: action.id, prepared: nil, pending: &pending), step.next == .render else { return }

        // Render first: a letter that cannot be made rejects the action before anything goes out.
        let prepared: PreparedMessage
        switch prepare(action, runtime: runtime, now: now()) {
        case .success(let message):
            prepared = message
        case .failure(let error) where error.temporary:
            step = item.life.handle(.notReady(detail: error.reason), policy: policy, now: now(), jitterSeed: seed)
            _ = await carryOut(step, item: item, action: action, id: action.id, prepared: nil, pending: &pending)
            return
        case .failure(let error):
            await refuse(item, id: action.id, action: action, reason: error.reason, pending: pending)
            return
        }
        let paused = action.channel == .sms ? await runtime.sms?.unavailableUntil() : nil
        step = item.life.handle(.rendered(channel: action.channel, providersPausedUntil: paused), policy: policy, now: now(), jitterSeed: seed)
        guard await carryOut(step, item: item, action: action, id: action.id, prepared: prepared, pending: &pending) else { return }

        if step.next == .lookup {
            // The provider may already have this SMS (an attempt went unanswered): ask before anything is resent.
            let found = await runtime.sms?.lookup(actionID: action.id)
            step = item.life.handle(.lookedUp(found?.outcome, provider: found?.provider ?? "none"), policy: policy, now: now(), jitterSeed: seed)
            guard await carryOut(step, item: item, action: action, id: action.id, prepared: prepared, pending: &pending) else { return }
        }
        guard step.next == .send else { return }

        // `sending` is journalled by the transport's permit, when the send is next in line (see `SendPermit`).
        let attempt = Mutex((item: item, prefix: pending, refused: false))
        let permit: SendPermit = { [self] in
            let (events, current) = attempt.withLock { shared -> ([JournalEvent], WorkItem) in
                let step = shared.item.life.handle(.onWire, policy: policy, now: now(), jitterSeed: seed)
                let events = shared.prefix + self.events(step.records, item: shared.item, action: action, id: action.id, prepared: prepared)
                shared.prefix = []
                return (events, shared.item)
            }
            let written = await record(events)
            if !written { attempt.withLock { $0.refused = true } }
            logger.trace("on the wire", metadata: ["action.id": "\(action.id)", "delivery.attempt": "\(current.life.attempts)"])
            return written
        }
        // `evidence`: the exact bytes handed over (the email as sent, the SMS request body), for the archive.
        let answer: (outcome: DeliveryOutcome, provider: String, possiblyTaken: Bool, evidence: [UInt8]?)
        switch prepared {
        case .email(let message, _):
            if let transport = runtime.email {
                answer = (await transport.send(message, permit: permit), transport.name, false, message.bytes)
            } else {
                answer = (.temporary(code: nil, detail: "no email transport is configured", retryAfter: nil), "none", false, nil)
            }
        case .sms(let sms, _):
            if let transport = runtime.sms {
                let result = await transport.send(sms, permit: permit)
                answer = (result.outcome, result.provider, result.possiblyTaken, result.requestBody)
            } else {
                answer = (.temporary(code: nil, detail: "no SMS provider is configured (sms.providers)", retryAfter: nil), "none", false, nil)
            }
        }
        let refused: Bool
        (item, pending, refused) = attempt.withLock { ($0.item, $0.prefix, $0.refused) }
        // Stopping with the journal broken: nothing went out; the file stays in active/ for the next start.
        if refused { return }
        step = item.life.handle(.answered(answer.outcome, provider: answer.provider, possiblyTaken: answer.possiblyTaken),
                                policy: policy, now: now(), jitterSeed: seed)
        let evidence = journal.archiveDirectory == nil ? nil : answer.evidence.map { ArchiveEntry(action: action.id, channel: action.channel.rawValue, bytes: $0) }
        _ = await carryOut(step, item: item, action: action, id: action.id, prepared: prepared, pending: &pending, evidence: evidence)
    }

    /// The planner's decision; a send to a paced debtor reserves the debtor at once, so two actions of one debtor
    /// decided at the same moment cannot both go out.
    private func plan(_ action: Action, runtime: Runtime) -> DeliveryPlanner.Decision {
        let configuration = runtime.configuration
        let current = now()
        let cancelled = spool.hasCancelMarker(action.id)
        return state.withLock { state in
            let decision = DeliveryPlanner.decide(action, DeliveryPlanner.Facts(
                now: current,
                cancelRequested: cancelled,
                rules: configuration.contact.rules(for: action.channel),
                spread: configuration.contact.spread,
                debtorLastSent: state.index.debtorLastSent[action.debtor.id],
                debtorPacing: configuration.delivery.debtorPacing
            ))
            if decision == .send, configuration.delivery.debtorPacing != nil {
                state.index.reserve(debtor: action.debtor.id, at: current)
            }
            return decision
        }
    }

    /// Carries out a step: its records (with those held from earlier steps) are made durable first, then the file
    /// moves. A step that keeps the file where it is holds its records for the next one (one fsync, not two).
    /// Returns false when the records could not be written (stopping with the journal broken).
    /// `evidence`: the bytes handed over, kept in the archive with the `sent` event that names their SHA-256.
    func carryOut(_ step: ActionLifecycle.Step, item: WorkItem, action: Action?, id: String, prepared: PreparedMessage?,
                  pending: inout [JournalEvent], evidence: ArchiveEntry? = nil) async -> Bool {
        var events = pending + events(step.records, item: item, action: action, id: id, prepared: prepared)
        var archive: [ArchiveEntry] = []
        if let evidence, let sent = events.lastIndex(where: { $0.event == .sent }) {
            events[sent].archiveSHA256 = evidence.sha256
            archive = [evidence]
        }
        if step.move == .stay {
            pending = events
            return true
        }
        pending = []
        for event in events where event.event == .rejected {
            logger.warning("action rejected", metadata: ["action.id": "\(id)", "spool.file": "\(item.file)", "reason": "\(event.reason ?? "")"])
        }
        guard await record(events, archive: archive) else { return false }
        switch step.move {
        case .stay:
            break
        case .wait(let until):
            moveToDeferred(item, actionID: id, until: until)
        case .finish(let folder, let reason):
            finish(item.file, from: .active, to: folder, reason: reason)
            if step.removesCancelMarker { spool.removeCancelMarker(id) }
        case .requeue(let seconds):
            hold(item, until: now().addingTimeInterval(seconds))
        }
        return true
    }

    /// Journal events for a step's records, with everything known about the action filled in.
    func events(_ records: [ActionLifecycle.Record], item: WorkItem, action: Action?, id: String, prepared: PreparedMessage?) -> [JournalEvent] {
        records.map { record in
            var e = action.map { event(record.kind, action: $0, item: item, prepared: prepared) } ?? JournalEvent(ts: now(), action: id, event: record.kind)
            e.file = item.file
            e.reason = record.reason
            e.code = record.code
            e.detail = record.detail
            if let provider = record.provider { e.provider = provider }
            if let messageID = record.messageID { e.messageID = messageID }
            e.nextAttempt = record.nextAttempt
            if record.kind == .sent, let action, action.stage == WIKRule.stage {
                // A later letter that charges costs builds on this one: keep what it covered.
                e.invoices = action.invoices.map(\.number)
            }
            return e
        }
    }

    private func moveToDeferred(_ item: WorkItem, actionID: String, until: Date) {
        do {
            if try spool.move(item.file, from: .active, to: .deferred) {
                state.withLock { $0.unsyncedMoves = true }
                schedule(item, actionID: actionID, at: until)
            } else {
                release(item.file)
                logger.error("a claimed action file vanished before it could be deferred", metadata: ["spool.file": "\(item.file)"])
            }
        } catch {
            // The deferral is journalled; keep the file claimed and try the move again shortly.
            logger.error("cannot defer an action file just now; trying again shortly", metadata: ["spool.file": "\(item.file)", "error": "\(error)"])
            state.withLock { $0.pendingMoves.append(PendingMove(file: item.file, from: .active, to: .deferred, reason: nil, item: item, due: until)) }
        }
    }

    /// Moves a file to its terminal folder after its terminal event is durable. A move that fails (the folder is
    /// briefly not writable, say) is retried by the timer loop until it works; the journal already has the event.
    func finish(_ file: String, from: SpoolLayout.Folder, to folder: SpoolLayout.Folder, reason: String?) {
        do {
            try spool.finish(file, from: from, to: folder, reason: reason)
            release(file)
        } catch {
            logger.error("cannot move a finished action to its terminal folder just now; trying again shortly", metadata: [
                "spool.file": "\(file)", "spool.folder": "\(folder.rawValue)", "error": "\(error)",
            ])
            state.withLock { $0.pendingMoves.append(PendingMove(file: file, from: from, to: folder, reason: reason, item: nil, due: nil)) }
        }
        state.withLock { state in
            state.processed += 1
            state.unsyncedMoves = true
        }
    }

    /// Tries the moves that failed before again; returns how many are still waiting.
    @discardableResult
    func retryPendingMoves() -> Int {
        let moves = state.withLock { state -> [PendingMove] in
            defer { state.pendingMoves.removeAll() }
            return state.pendingMoves
        }
        var left: [PendingMove] = []
        for move in moves {
            do {
                if move.to == .deferred {
                    if try spool.move(move.file, from: move.from, to: .deferred) {
                        if let item = move.item { schedule(item, actionID: item.actionID, at: move.due ?? now()) }
                    } else {
                        release(move.file)
                    }
                } else {
                    try spool.finish(move.file, from: move.from, to: move.to, reason: move.reason)
                    release(move.file)
                }
                logger.notice("a delayed spool move is done", metadata: ["spool.file": "\(move.file)", "spool.folder": "\(move.to.rawValue)"])
            } catch {
                left.append(move)
            }
        }
        state.withLock { $0.pendingMoves.append(contentsOf: left) }
        return left.count
    }

    /// Writes events durably, waiting (and refusing new work) while the journal cannot be written.
    /// Returns false only when stopping with the journal still broken: the file stays for recovery.
    func record(_ events: [JournalEvent], archive: [ArchiveEntry] = []) async -> Bool {
        if events.isEmpty { return true }
        var delay: Double = 0.5
        while true {
            do {
                try await journal.append(events, archive: archive)
                let wasBroken = state.withLock { state -> Bool in
                    for event in events {
                        state.index.applyLive(event)
                        state.eventCounts[event.event, default: 0] += 1
                        if event.event == .deferred, let reason = event.reason { state.deferralReasons[reason, default: 0] += 1 }
                    }
                    defer { state.journalBroken = false }
                    return state.journalBroken
                }
                if wasBroken { logger.notice("the journal can be written again; sending resumes") }
                state.withLock { $0.observer }?(events)
                return true
            } catch {
                let first = state.withLock { state -> Bool in
                    defer { state.journalBroken = true }
                    return !state.journalBroken
                }
                if first {
                    logger.critical("the journal cannot be written; nothing is sent until it can", metadata: ["error": "\(error)"])
                }
                if isStopping { return false }
                try? await clock.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(delay * 2, 10)
            }
        }
    }
}

/// A spool move whose event is durable but which failed (the folder was not writable): retried by the timer loop.
struct PendingMove: Sendable {
    let file: String
    let from: SpoolLayout.Folder
    let to: SpoolLayout.Folder
    let reason: String?
    /// For a move to deferred/: the item to schedule once it is there, and when it is due.
    let item: WorkItem?
    let due: Date?
}

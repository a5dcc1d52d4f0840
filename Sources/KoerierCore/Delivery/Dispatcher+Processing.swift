import Foundation
import Logging

extension Dispatcher {
    /// Takes one claimed file (in active/) to its next state: terminal, deferred, or sent.
    func process(_ item: WorkItem, runtime: Runtime) async {
        let known = state.withLock { $0.index.files[item.file] }
        if let terminal = known?.terminal, carries(item.file, in: .active, actionID: known?.actionID) {
            // The journal already ended this file (a crash hit before its move): finish the move only.
            completeTerminal(item.file, from: .active, kind: terminal, reason: known?.terminalReason)
            return
        }
        let bytes: [UInt8]
        switch spool.read(item.file, in: .active, maximum: ActionDecoder.maximumSize) {
        case .bytes(let content):
            bytes = content
        case .missing:
            logger.error("a claimed action file vanished from the spool", metadata: ["spool.file": "\(item.file)"])
            return
        case .tooLarge(let size):
            await reject(item, id: item.file, action: nil, reason: "the file is \(size) bytes; an action file is at most 1 MiB")
            return
        case .temporary(let why):
            // Nothing is wrong with the file; the system could not read it now. It stays claimed and comes back.
            logger.warning("cannot read a claimed action file just now; trying again shortly", metadata: ["spool.file": "\(item.file)", "error": "\(why)"])
            requeue(item, after: .seconds(5))
            return
        case .unreadable(let why):
            await reject(item, id: item.file, action: nil, reason: "cannot be read: \(why)")
            return
        }
        let action: Action
        do {
            action = try ActionDecoder.decode(bytes)
        } catch {
            await reject(item, id: ActionDecoder.peekID(bytes) ?? item.file, action: nil, reason: error.description)
            return
        }
        if let duplicate = claimID(action.id, file: item.file) {
            await reject(item, id: action.id, action: action, reason: duplicate)
            return
        }
        defer { state.withLock { $0.activeIDs[action.id] = nil } }
        await handle(item, action: action, runtime: runtime)
    }

    /// Puts an item back in the ready queue after a pause (it stays in active/ meanwhile; a restart also finds it).
    func requeue(_ item: WorkItem, after delay: Duration) {
        Task { [queue] in
            try? await Task.sleep(for: delay)
            await queue.push(item)
        }
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

    private func handle(_ original: WorkItem, action: Action, runtime: Runtime) async {
        var item = original
        let configuration = runtime.configuration
        let current = now()
        var pending: [JournalEvent] = []
        if !item.received {
            pending.append(event(.received, action: action, item: item))
            item.received = true
        }
        let debtorLast = state.withLock { $0.index.debtorLastSent[action.debtor.id] }
        let decision = DeliveryPlanner.decide(action, DeliveryPlanner.Facts(
            now: current,
            cancelRequested: spool.hasCancelMarker(action.id),
            rules: configuration.contact.rules(for: action.channel),
            spread: configuration.contact.spread,
            debtorLastSent: debtorLast,
            debtorPacing: configuration.delivery.debtorPacing
        ))
        switch decision {
        case .cancel:
            var e = event(.cancelled, action: action, item: item)
            e.reason = "withdrawn by the engine through cancel/\(action.id)"
            guard await record(pending + [e]) else { return }
            finish(item, to: .cancelled, reason: e.reason)
            spool.removeCancelMarker(action.id)
        case .expire:
            var e = event(.expired, action: action, item: item)
            e.reason = "expired at \(RFC3339.format(action.expiresAt ?? current)) before it could be sent"
            guard await record(pending + [e]) else { return }
            finish(item, to: .cancelled, reason: e.reason)
        case .wait(let until, let reason):
            await deferAction(item, action: action, until: until, reason: reason, extra: pending)
        case .send:
            await send(item, action: action, runtime: runtime, pending: pending)
        }
    }

    private func send(_ original: WorkItem, action: Action, runtime: Runtime, pending: [JournalEvent]) async {
        var item = original
        let configuration = runtime.configuration
        let current = now()
        var journalPrefix = pending

        // Render first: a template problem rejects the action before anything goes out.
        let prepared: PreparedMessage
        switch prepare(action, runtime: runtime, now: current) {
        case .success(let message): prepared = message
        case .failure(let error):
            await reject(item, id: action.id, action: action, reason: error.reason, extra: journalPrefix)
            return
        }

        if item.ambiguous && action.channel == .sms && !configuration.sms.ambiguousResend {
            // The provider may already have this message: ask before anything is resent. Right after a crash
            // a provider may not list it yet, so give it the lookup window first.
            let window: TimeInterval = 15
            if let last = item.lastAttempt, current.timeIntervalSince(last) < window {
                requeue(item, after: .milliseconds(Int((window - current.timeIntervalSince(last)) * 1000) + 100))
                return
            }
            if let sms = runtime.sms, let found = await sms.lookup(actionID: action.id) {
                switch found.outcome {
                case .accepted:
                    await conclude(item, action: action, prepared: prepared, outcome: found.outcome, provider: found.provider, extra: journalPrefix)
                    return
                case .unknown(let detail):
                    // No clear answer now: wait and ask again, still marked as a possible repeat.
                    await conclude(item, action: action, prepared: prepared,
                                   outcome: .temporary(code: nil, detail: detail, retryAfter: nil), provider: found.provider, extra: journalPrefix)
                    return
                default:
                    break  // Not found at any provider: resending cannot duplicate.
                }
            } else {
                var e = event(.failed, action: action, item: item, prepared: prepared)
                e.reason = "outcome unknown: a restart interrupted this SMS after it was handed to the provider, and no provider can be asked; it was not resent (sms.ambiguous: fail)"
                guard await record(journalPrefix + [e]) else { return }
                finish(item, to: .failed, reason: e.reason)
                return
            }
        }

        if action.channel == .sms, let sms = runtime.sms, let until = await sms.unavailableUntil() {
            // Every provider is paused after a provider problem: wait without spending an attempt.
            await deferAction(item, action: action, until: max(until, current + 1), reason: "rate_limit", extra: journalPrefix)
            return
        }

        item.attempts += 1
        item.lastAttempt = current
        if item.firstAttempt == nil { item.firstAttempt = current }
        var sending = event(.sending, action: action, item: item, prepared: prepared)
        sending.attempt = item.attempts
        journalPrefix.append(sending)
        guard await record(journalPrefix) else { return }

        switch prepared {
        case .email(let message, _):
            guard let transport = runtime.email else {
                await conclude(item, action: action, prepared: prepared, outcome: .temporary(code: nil, detail: "no email transport is configured", retryAfter: nil), provider: "none", extra: [])
                return
            }
            let outcome = await transport.send(message)
            await conclude(item, action: action, prepared: prepared, outcome: outcome, provider: transport.name, extra: [])
        case .sms(let sms, _):
            guard let transport = runtime.sms else {
                await conclude(item, action: action, prepared: prepared, outcome: .temporary(code: nil, detail: "no SMS provider is configured (sms.providers)", retryAfter: nil), provider: "none", extra: [])
                return
            }
            let result = await transport.send(sms)
            if result.possiblyTaken { item.ambiguous = true }
            await conclude(item, action: action, prepared: prepared, outcome: result.outcome, provider: result.provider, extra: [])
        }
    }

    /// Records the outcome of an attempt and moves the file accordingly.
    private func conclude(_ original: WorkItem, action: Action, prepared: PreparedMessage, outcome: DeliveryOutcome, provider: String, extra: [JournalEvent]) async {
        let configuration = runtime.configuration
        var item = original
        /// The event for this answer: provider, reply code and text, and a reason where one is given.
        func answer(_ kind: JournalEvent.Kind, code: Int?, detail: String, reason: String? = nil) -> JournalEvent {
            var e = event(kind, action: action, item: item, prepared: prepared)
            e.provider = provider
            e.code = code
            e.detail = detail
            e.reason = reason
            return e
        }
        /// Makes the terminal event durable, then moves the file (with its reason) to its terminal folder.
        func end(_ e: JournalEvent, in folder: SpoolLayout.Folder) async {
            guard await record(extra + [e]) else { return }
            finish(item, to: folder, reason: folder == .sent ? nil : e.reason)
        }
        let answerText = { (code: Int?, detail: String) in "\(code.map { "\($0) " } ?? "")\(detail)" }

        switch outcome {
        case .accepted(let code, let detail, let messageID):
            var e = answer(.sent, code: code, detail: detail)
            if let messageID { e.messageID = messageID }
            await end(e, in: .sent)
        case .permanent(let code, let detail):
            await end(answer(.failed, code: code, detail: detail, reason: "refused by \(provider): \(answerText(code, detail))"), in: .failed)
        case .unknown(let detail) where action.channel == .sms && !configuration.sms.ambiguousResend:
            await end(answer(.failed, code: nil, detail: detail,
                             reason: "outcome unknown: \(detail); not resent so the debtor cannot get it twice (sms.ambiguous: fail)"), in: .failed)
        case .temporary, .unknown:
            var code: Int?
            var detail = ""
            var retryAfter: TimeInterval?
            if case .temporary(let c, let d, let r) = outcome { (code, detail, retryAfter) = (c, d, r) }
            if case .unknown(let d) = outcome {
                detail = d
                // An attempt without an answer: the next one may repeat it, so it is marked (and SMS asks first).
                item.ambiguous = true
            }
            let decision = configuration.delivery.retry.decide(
                attempts: item.attempts, firstAttempt: item.firstAttempt ?? now(), now: now(),
                retryAfter: retryAfter, jitterSeed: TemplateResolver.fnv1a(action.id)
            )
            switch decision {
            case .retry(let at):
                var e = answer(.deferred, code: code, detail: detail, reason: "retry")
                e.nextAttempt = at
                guard await record(extra + [e]) else { return }
                moveToDeferred(item, action: action, until: at)
            case .fail(let reason):
                await end(answer(.failed, code: code, detail: detail, reason: "\(reason); last answer: \(answerText(code, detail))"), in: .failed)
            }
        }
    }

    /// Journals a wait and parks the file in deferred/.
    private func deferAction(_ item: WorkItem, action: Action, until: Date, reason: String, extra: [JournalEvent]) async {
        var e = event(.deferred, action: action, item: item)
        e.reason = reason
        e.nextAttempt = until
        guard await record(extra + [e]) else { return }
        moveToDeferred(item, action: action, until: until)
    }

    private func moveToDeferred(_ item: WorkItem, action: Action, until: Date) {
        do {
            if try spool.move(item.file, from: .active, to: .deferred) {
                schedule(item, actionID: action.id, at: until)
            } else {
                logger.error("a claimed action file vanished before it could be deferred", metadata: ["spool.file": "\(item.file)"])
            }
        } catch {
            logger.error("cannot defer an action file; it stays in active/ and is retried after a restart", metadata: [
                "spool.file": "\(item.file)", "error": "\(error)",
            ])
        }
    }

    /// Rejects a file: journal `rejected`, then the reason file, then the move to rejected/.
    func reject(_ item: WorkItem, id: String, action: Action?, reason: String, extra: [JournalEvent] = []) async {
        var e = action.map { event(.rejected, action: $0, item: item) } ?? JournalEvent(ts: now(), action: id, event: .rejected)
        e.file = item.file
        e.reason = "\(item.file): \(reason)"
        logger.warning("action rejected", metadata: ["action.id": "\(id)", "spool.file": "\(item.file)", "reason": "\(reason)"])
        guard await record(extra + [e]) else { return }
        finish(item, to: .rejected, reason: e.reason)
    }

    /// Moves a file to its terminal folder after its terminal event is durable.
    private func finish(_ item: WorkItem, to folder: SpoolLayout.Folder, reason: String?) {
        do {
            try spool.finish(item.file, from: .active, to: folder, reason: reason)
        } catch {
            logger.error("cannot move a finished action; a restart completes the move from the journal", metadata: [
                "spool.file": "\(item.file)", "error": "\(error)",
            ])
        }
        state.withLock { $0.processed += 1 }
    }

    /// Writes events durably, waiting (and refusing new work) while the journal cannot be written.
    /// Returns false only when stopping with the journal still broken: the file stays for recovery.
    func record(_ events: [JournalEvent]) async -> Bool {
        var delay: Double = 0.5
        while true {
            do {
                try await journal.append(events)
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
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(delay * 2, 10)
            }
        }
    }
}

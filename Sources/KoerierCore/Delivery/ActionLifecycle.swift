import Foundation

/// The life of one action file as a pure state machine: (history, input, policy, now) -> step.
///
/// The dispatcher feeds it what happened (the file could not be read, the planner's decision, the message went on
/// the wire, the relay's answer, a provider lookup) and carries out the `Step` it returns: journal the records
/// (durably, before anything else), move the file, schedule it, or go on to the next stage of the attempt.
/// Nothing here reads a disk, a clock or a network; `ActionLifecycleTests` walks the table of transitions.
///
/// ```
/// claimed --invalid-----------------------------> rejected
///    |    --planned cancel / expire------------> cancelled / expired
///    |    --planned wait-----------------------> deferred (not_before, quiet_hours, rate_limit)
///    |    --planned send--> render --invalid---> rejected
///    |                         |--ambiguous SMS--> lookup --found--> sent
///    |                         |                          --none---> send (marked)
///    |                         |                          --unclear-> deferred retry (marked)
///    |                         |                          --cannot--> failed "outcome unknown"
///    |                         |--providers paused------> deferred rate_limit (no attempt spent)
///    |                         --send--> onWire [sending] --accepted--> sent
///    |                                                    --permanent-> failed
///    |                                                    --temporary/unknown--> deferred retry | failed (gave up)
/// ```
public struct ActionLifecycle: Sendable, Equatable {
    /// Attempts journalled `sending` (their bytes went out, or were about to when a crash came).
    public var attempts = 0
    public var firstAttempt: Date?
    /// When the last attempt went on the wire.
    public var lastAttempt: Date?
    /// `received` is journalled once per action file.
    public var received = false
    /// An earlier attempt went unanswered: the next one may repeat it (marked `possible_repeat`; SMS asks first).
    public var ambiguous = false
    /// The attempt under way put its bytes on the wire (`sending` is journalled).
    public private(set) var onWire = false
    /// The channel of the message being sent (SMS has its own rule for unknown outcomes).
    public private(set) var channel: Action.Channel?

    public init() {}

    /// The settings that shape decisions.
    public struct Policy: Sendable, Equatable {
        public var retry: RetryPolicy
        /// `sms.ambiguous: resend`: an SMS whose outcome is unknown is sent again instead of failing.
        public var smsAmbiguousResend: Bool
        /// Right after a crash a provider may not list a message yet: wait this long after the last attempt before asking.
        public var lookupWindow: TimeInterval

        public init(retry: RetryPolicy, smsAmbiguousResend: Bool, lookupWindow: TimeInterval = 15) {
            self.retry = retry
            self.smsAmbiguousResend = smsAmbiguousResend
            self.lookupWindow = lookupWindow
        }
    }

    /// What happened to the action.
    public enum Input: Sendable, Equatable {
        /// The file cannot become a message: unreadable, invalid, a duplicate, or its letter cannot be made.
        case invalid(reason: String)
        /// The planner's decision for a valid action (its id and `expires_at` go into the reasons).
        case planned(DeliveryPlanner.Decision, id: String, expiresAt: Date?)
        /// The letter could not be made for a passing reason (an attachment unreadable just now): nothing is wrong
        /// with the action; it waits and is tried again, without spending an attempt.
        case notReady(detail: String)
        /// The message is rendered and ready for its transport.
        case rendered(channel: Action.Channel, providersPausedUntil: Date?)
        /// The transport is about to send: next in line for a connection or provider slot (`delivery.send_ahead`).
        case onWire
        /// The relay's or provider's answer. `possiblyTaken`: the provider may hold it although the answer says otherwise.
        case answered(DeliveryOutcome, provider: String, possiblyTaken: Bool)
        /// The providers' answer to "do you have this SMS?" after an ambiguous attempt (nil: a provider cannot be asked).
        case lookedUp(DeliveryOutcome?, provider: String)
    }

    /// One journal event to write, beyond the fields every event of the action carries.
    public struct Record: Sendable, Equatable {
        public var kind: JournalEvent.Kind
        public var reason: String?
        public var code: Int?
        public var detail: String?
        public var provider: String?
        public var messageID: String?
        public var nextAttempt: Date?

        public init(_ kind: JournalEvent.Kind, reason: String? = nil, code: Int? = nil, detail: String? = nil,
                    provider: String? = nil, messageID: String? = nil, nextAttempt: Date? = nil) {
            self.kind = kind
            self.reason = reason
            self.code = code
            self.detail = detail
            self.provider = provider
            self.messageID = messageID
            self.nextAttempt = nextAttempt
        }
    }

    /// Where the file goes once the records are durable.
    public enum Move: Sendable, Equatable {
        /// It stays in active/ (the next stage of the attempt follows).
        case stay
        /// To deferred/, due at `until`.
        case wait(until: Date)
        /// To its terminal folder, with the reason file where the folder has one.
        case finish(SpoolLayout.Folder, reason: String?)
        /// It stays claimed and comes back to the ready queue after `seconds`.
        case requeue(after: TimeInterval)
    }

    /// What the dispatcher does next, after the records and the move.
    public enum Next: Sendable, Equatable {
        case done
        /// Render the message (the action was planned for sending).
        case render
        /// Ask the providers whether they already have this SMS.
        case lookup
        /// Hand the message to its transport.
        case send
    }

    /// The machine's answer to one input.
    public struct Step: Sendable, Equatable {
        public var records: [Record]
        public var move: Move
        public var next: Next
        /// The engine's cancel marker is used up (remove it once the records are durable).
        public var removesCancelMarker = false

        public init(records: [Record] = [], move: Move = .stay, next: Next = .done, removesCancelMarker: Bool = false) {
            self.records = records
            self.move = move
            self.next = next
            self.removesCancelMarker = removesCancelMarker
        }
    }

    /// The terminal folder of a terminal event.
    public static func folder(for kind: JournalEvent.Kind) -> SpoolLayout.Folder {
        switch kind {
        case .sent: return .sent
        case .failed: return .failed
        case .rejected: return .rejected
        default: return .cancelled
        }
    }

    /// The transition for `input`. `now` is the wall clock; `jitterSeed` spreads retries (the action id's hash).
    public mutating func handle(_ input: Input, policy: Policy, now: Date, jitterSeed: UInt64) -> Step {
        switch input {
        case .invalid(let reason):
            return Step(records: [Record(.rejected, reason: reason)], move: .finish(.rejected, reason: reason))

        case .planned(let decision, let id, let expiresAt):
            var records: [Record] = []
            if !received {
                records.append(Record(.received))
                received = true
            }
            switch decision {
            case .cancel:
                return finish(records + [Record(.cancelled, reason: "withdrawn by the engine through cancel/\(id)")], .cancelled, removesMarker: true)
            case .expire:
                let reason = "expired at \(RFC3339.format(expiresAt ?? now)) before it could be sent"
                return finish(records + [Record(.expired, reason: reason)], .cancelled)
            case .wait(let until, let reason):
                return Step(records: records + [Record(.deferred, reason: reason, nextAttempt: until)], move: .wait(until: until))
            case .send:
                return Step(records: records, next: .render)
            }

        case .notReady(let detail):
            let at = now.addingTimeInterval(policy.retry.minimumDelay)
            return Step(records: [Record(.deferred, reason: "retry", detail: detail, nextAttempt: at)], move: .wait(until: at))

        case .rendered(let channel, let pausedUntil):
            self.channel = channel
            if ambiguous && channel == .sms && !policy.smsAmbiguousResend {
                if let last = lastAttempt, now.timeIntervalSince(last) < policy.lookupWindow {
                    return Step(move: .requeue(after: policy.lookupWindow - now.timeIntervalSince(last) + 0.1))
                }
                return Step(next: .lookup)
            }
            if channel == .sms, let until = pausedUntil {
                // Every provider is paused after a provider problem: wait without spending an attempt.
                return Step(records: [Record(.deferred, reason: "rate_limit", nextAttempt: max(until, now + 1))], move: .wait(until: max(until, now + 1)))
            }
            return Step(next: .send)

        case .onWire:
            attempts += 1
            lastAttempt = now
            if firstAttempt == nil { firstAttempt = now }
            onWire = true
            return Step(records: [Record(.sending)])

        case .lookedUp(let found, let provider):
            switch found {
            case nil:
                let reason = "outcome unknown: a restart interrupted this SMS after it was handed to the provider, and no provider can be asked; it was not resent (sms.ambiguous: fail)"
                return finish([Record(.failed, reason: reason)], .failed)
            case .accepted(let code, let detail, let messageID)?:
                return finish([Record(.sent, code: code, detail: detail, provider: provider, messageID: messageID)], .sent)
            case .unknown(let detail)?:
                // No clear answer now: wait and ask again, still marked as a possible repeat.
                return retry(code: nil, detail: detail, retryAfter: nil, provider: provider, policy: policy, now: now, jitterSeed: jitterSeed)
            case .temporary?, .permanent?:
                // Not found at any provider: sending again cannot duplicate it.
                return Step(next: .send)
            }

        case .answered(let outcome, let provider, let possiblyTaken):
            let attempted = onWire
            onWire = false
            if possiblyTaken { ambiguous = true }
            let text = { (code: Int?, detail: String) in "\(code.map { "\($0) " } ?? "")\(detail)" }
            switch outcome {
            case .accepted(let code, let detail, let messageID):
                return finish([Record(.sent, code: code, detail: detail, provider: provider, messageID: messageID)], .sent)
            case .permanent(let code, let detail):
                return finish([Record(.failed, reason: "refused by \(provider): \(text(code, detail))", code: code, detail: detail, provider: provider)], .failed)
            case .unknown(let detail) where !attempted:
                // Nothing went on the wire, so nothing can have been taken.
                return retry(code: nil, detail: detail, retryAfter: nil, provider: provider, policy: policy, now: now, jitterSeed: jitterSeed)
            case .unknown(let detail):
                ambiguous = true
                if channel == .sms && !policy.smsAmbiguousResend {
                    return finish([Record(.failed, reason: "outcome unknown: \(detail); not resent so the debtor cannot get it twice (sms.ambiguous: fail)",
                                          detail: detail, provider: provider)], .failed)
                }
                return retry(code: nil, detail: detail, retryAfter: nil, provider: provider, policy: policy, now: now, jitterSeed: jitterSeed)
            case .temporary(let code, let detail, let retryAfter):
                return retry(code: code, detail: detail, retryAfter: retryAfter, provider: provider, policy: policy, now: now, jitterSeed: jitterSeed)
            }
        }
    }

    private func finish(_ records: [Record], _ folder: SpoolLayout.Folder, removesMarker: Bool = false) -> Step {
        let reason = folder == .sent ? nil : records.last?.reason
        return Step(records: records, move: .finish(folder, reason: reason), removesCancelMarker: removesMarker)
    }

    /// A temporary failure: try again later, or give up by the retry policy.
    private func retry(code: Int?, detail: String, retryAfter: TimeInterval?, provider: String, policy: Policy, now: Date, jitterSeed: UInt64) -> Step {
        let decision = policy.retry.decide(attempts: max(1, attempts), firstAttempt: firstAttempt ?? now, now: now,
                                           retryAfter: retryAfter, jitterSeed: jitterSeed)
        switch decision {
        case .retry(let at):
            return Step(records: [Record(.deferred, reason: "retry", code: code, detail: detail, provider: provider, nextAttempt: at)], move: .wait(until: at))
        case .fail(let reason):
            let last = "\(code.map { "\($0) " } ?? "")\(detail)"
            return finish([Record(.failed, reason: "\(reason); last answer: \(last)", code: code, detail: detail, provider: provider)], .failed)
        }
    }
}

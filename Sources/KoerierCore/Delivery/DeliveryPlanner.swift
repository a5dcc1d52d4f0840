import Foundation

/// The pure "what now?" decision for a valid action: a function of the action, what is known, and the clock.
public enum DeliveryPlanner {
    /// The decision.
    public enum Decision: Sendable, Equatable {
        case send
        case cancel
        case expire
        /// Wait until `until`; `reason` is a journal reason: not_before, quiet_hours, rate_limit.
        case wait(until: Date, reason: String)
    }

    /// What the planner needs besides the action.
    public struct Facts: Sendable {
        public var now: Date
        public var cancelRequested: Bool
        public var rules: ContactRules
        /// Seconds over which a burst at an opening is spread.
        public var spread: TimeInterval
        /// When this debtor was last sent a message, and the pacing interval (nil: off).
        public var debtorLastSent: Date?
        public var debtorPacing: TimeInterval?

        public init(now: Date, cancelRequested: Bool, rules: ContactRules, spread: TimeInterval,
                    debtorLastSent: Date? = nil, debtorPacing: TimeInterval? = nil) {
            self.now = now
            self.cancelRequested = cancelRequested
            self.rules = rules
            self.spread = spread
            self.debtorLastSent = debtorLastSent
            self.debtorPacing = debtorPacing
        }
    }

    /// Cancel beats everything; then expiry; then not_before, contact hours and pacing, in that order.
    public static func decide(_ action: Action, _ facts: Facts) -> Decision {
        if facts.cancelRequested { return .cancel }
        if let expires = action.expiresAt, expires <= facts.now { return .expire }
        var waitUntil: Date?
        var reason = ""
        if let notBefore = action.notBefore, notBefore > facts.now {
            waitUntil = notBefore
            reason = "not_before"
        }
        if waitUntil == nil, let pacing = facts.debtorPacing, let last = facts.debtorLastSent, last + pacing > facts.now {
            waitUntil = last + pacing
            reason = "rate_limit"
        }
        let candidate = waitUntil ?? facts.now
        let opening = ContactHours.nextOpening(atOrAfter: candidate, rules: facts.rules)
        if opening > candidate {
            waitUntil = ContactHours.spreadSlot(opening: opening, key: action.id, spread: facts.spread)
            reason = "quiet_hours"
        }
        guard let until = waitUntil else { return .send }
        if let expires = action.expiresAt, until >= expires {
            // It cannot go out before it expires; wait for the expiry so a cancel can still win.
            return .wait(until: expires, reason: reason)
        }
        return .wait(until: until, reason: reason)
    }
}

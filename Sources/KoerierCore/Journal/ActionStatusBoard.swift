import Foundation

/// The latest state of every action in a stretch of the journal, for `koerier journal --status`. Pure: events in,
/// one row per action out (in the order each action first appeared).
public struct ActionStatusBoard: Sendable {
    /// One action's latest state.
    public struct Row: Sendable, Equatable {
        /// The action id.
        public var action: String
        /// The state's name: the last lifecycle event, overridden after `sent` by a delivery report.
        public var state: JournalEvent.Kind
        /// When the action reached that state.
        public var ts: Date
        /// The action's fields, from its events.
        public var channel: String?
        /// The stage.
        public var stage: String?
        /// The debtor id.
        public var debtor: String?
        /// The recipient address or number.
        public var recipient: String?
        /// The code of the event that set the state (`5.1.1`, `550`, a provider status).
        public var code: String?
        /// The text of that event (the diagnostic, the reply, the reason).
        public var detail: String?
    }

    private var rows: [String: Row] = [:]
    private var order: [String] = []

    /// An empty board.
    public init() {}

    /// Folds one event in.
    public mutating func apply(_ event: JournalEvent) {
        var row = rows[event.action] ?? Row(action: event.action, state: event.event, ts: event.ts)
        if rows[event.action] == nil { order.append(event.action) }
        row.channel = event.channel ?? row.channel
        row.stage = event.stage ?? row.stage
        row.debtor = event.debtor ?? row.debtor
        row.recipient = event.recipient ?? row.recipient
        if Self.moves(from: row.state, to: event.event, first: rows[event.action] == nil) {
            row.state = event.event
            row.ts = event.ts
            row.code = event.code.map(String.init) ?? event.codeText
            row.detail = event.event == .deferred ? (event.reason ?? event.detail) : (event.detail ?? event.reason)
        }
        rows[event.action] = row
    }

    /// Whether `next` replaces `current`: a delivery status is never replaced (forward only), a delivery report
    /// replaces `sent`, and anything replaces a non-terminal step.
    static func moves(from current: JournalEvent.Kind, to next: JournalEvent.Kind, first: Bool) -> Bool {
        if first { return true }
        if current.isDeliveryReport { return false }
        if current == .complained { return false }
        if next.isDeliveryReport { return current == .sent }
        if current.isTerminal { return next.isTerminal || next == .received }
        return true
    }

    /// The rows, oldest action first.
    public var all: [Row] { order.compactMap { rows[$0] } }
}

/// What the journal knows about a 14-day letter Koerier sent, as the collection-costs rule needs it.
public struct StatutoryNoticeRecord: Sendable, Equatable {
    /// The stage of that action (it must be `veertiendagenbrief`).
    public var stage: String
    /// The debtor it was sent to.
    public var debtorID: String
    /// The local day of its `sent` event.
    public var sent: CalendarDate
    /// The local day of its `delivered` event, when a provider reported one.
    public var delivered: CalendarDate?
    /// True when an `undelivered` event (bounce, failed SMS) was journalled for it.
    public var undelivered: Bool
    /// The invoice numbers the letter covered.
    public var invoiceNumbers: [String]

    /// Creates a record.
    public init(stage: String, debtorID: String, sent: CalendarDate, delivered: CalendarDate? = nil, undelivered: Bool = false, invoiceNumbers: [String]) {
        self.stage = stage
        self.debtorID = debtorID
        self.sent = sent
        self.delivered = delivered
        self.undelivered = undelivered
        self.invoiceNumbers = invoiceNumbers
    }
}

/// Looks up earlier 14-day letters by action id (the dispatcher answers from its journal index).
public protocol StatutoryNoticeRecords: Sendable {
    /// The record of action `id`, or `nil` when Koerier never sent it.
    func notice(actionID id: String) -> StatutoryNoticeRecord?
}

/// No journal: every `statutory_notice {action}` is unknown (for `koerier render` and `check`).
public struct NoStatutoryNotices: StatutoryNoticeRecords {
    /// Creates the empty lookup.
    public init() {}
    /// Always `nil`.
    public func notice(actionID id: String) -> StatutoryNoticeRecord? { nil }
}

/// A fixed set of records (tests, and `koerier render --notice`).
public struct KnownStatutoryNotices: StatutoryNoticeRecords {
    /// The records by action id.
    public var records: [String: StatutoryNoticeRecord]
    /// Creates the lookup.
    public init(_ records: [String: StatutoryNoticeRecord]) { self.records = records }
    /// The record of `id`.
    public func notice(actionID id: String) -> StatutoryNoticeRecord? { records[id] }
}

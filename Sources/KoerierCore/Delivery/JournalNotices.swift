import Foundation
import Synchronization

/// The statutory 14-day letters Koerier sent, read from its own journal when an action builds on one
/// (`statutory_notice {action}`): its stage, debtor, the local day it was sent, a delivery report if one came,
/// and the invoices it covered (kept on its `sent` event). Found records are cached for a few minutes, so a batch
/// of actions that build on one letter reads the journal once, and a later bounce is still seen.
public final class JournalNotices: StatutoryNoticeRecords {
    private let directory: String
    private let timeZone: TimeZone
    private let now: @Sendable () -> Date
    private let cache = Mutex<[String: (record: StatutoryNoticeRecord, at: Date)]>([:])

    /// How far back a 14-day letter is looked for (the journal's day files): about thirteen months.
    public static let searchDays = 400
    /// How long a found record is reused.
    static let cacheSeconds: TimeInterval = 300

    public init(directory: String, timeZone: TimeZone, now: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.timeZone = timeZone
        self.now = now
    }

    public func notice(actionID id: String) -> StatutoryNoticeRecord? {
        let current = now()
        if let hit = cache.withLock({ $0[id] }), current.timeIntervalSince(hit.at) < Self.cacheSeconds { return hit.record }
        let events = JournalSearch.events(of: id, in: directory, days: Self.searchDays) { $0.event == .sent }
        guard let record = Self.record(from: events, timeZone: timeZone) else { return nil }
        cache.withLock { $0[id] = (record, current) }
        return record
    }

    /// The record the events of one action make, when it was sent.
    static func record(from events: [JournalEvent], timeZone: TimeZone) -> StatutoryNoticeRecord? {
        guard let sent = events.last(where: { $0.event == .sent }) else { return nil }
        let delivered = events.first { $0.event == .delivered }
        return StatutoryNoticeRecord(
            stage: sent.stage ?? "",
            debtorID: sent.debtor ?? "",
            sent: localDay(sent.ts, timeZone),
            delivered: delivered.map { localDay($0.ts, timeZone) },
            undelivered: events.contains { $0.event == .undelivered },
            invoiceNumbers: sent.invoices ?? []
        )
    }

    /// The calendar day of `instant` in `timeZone`.
    static func localDay(_ instant: Date, _ timeZone: TimeZone) -> CalendarDate {
        let seconds = Int(instant.timeIntervalSince1970) + timeZone.secondsFromGMT(for: instant)
        return CalendarDate(dayNumber: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }
}

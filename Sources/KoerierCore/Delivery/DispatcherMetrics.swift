import Foundation

/// What ops watch: events journalled since start, the queue, in-flight sends, waiting actions, journal health.
public struct DispatcherMetrics: Sendable, Equatable {
    public var events: [JournalEvent.Kind: Int]
    public var deferralReasons: [String: Int]
    public var queued: Int
    public var inFlight: Int
    public var deferred: Int
    public var journalBroken: Bool
    public var journalSeq: UInt64
    /// Appends and group commits of the journal since start.
    public var journal = Journal.Statistics()

    /// Prometheus text exposition format (for node_exporter's textfile collector or any scraper of files).
    public func prometheusText() -> String {
        var out = "# HELP koerier_events_total Journal events written by this process, by event.\n"
        out += "# TYPE koerier_events_total counter\n"
        for kind in JournalEvent.Kind.allCases {
            out += "koerier_events_total{event=\"\(kind.rawValue)\"} \(events[kind] ?? 0)\n"
        }
        out += "# HELP koerier_deferrals_total Deferrals by reason.\n# TYPE koerier_deferrals_total counter\n"
        for reason in ["not_before", "quiet_hours", "rate_limit", "retry"] {
            out += "koerier_deferrals_total{reason=\"\(reason)\"} \(deferralReasons[reason] ?? 0)\n"
        }
        out += "# HELP koerier_queued Actions claimed and waiting for a worker.\n# TYPE koerier_queued gauge\nkoerier_queued \(queued)\n"
        out += "# HELP koerier_in_flight Actions being decided or sent now.\n# TYPE koerier_in_flight gauge\nkoerier_in_flight \(inFlight)\n"
        out += "# HELP koerier_deferred Actions waiting in deferred/.\n# TYPE koerier_deferred gauge\nkoerier_deferred \(deferred)\n"
        out += "# HELP koerier_journal_broken 1 while the journal cannot be written (nothing is sent then).\n# TYPE koerier_journal_broken gauge\nkoerier_journal_broken \(journalBroken ? 1 : 0)\n"
        out += "# HELP koerier_journal_seq The last journal sequence number written.\n# TYPE koerier_journal_seq gauge\nkoerier_journal_seq \(journalSeq)\n"
        out += "# HELP koerier_journal_appends_total Journal appends (each waits for its group commit).\n# TYPE koerier_journal_appends_total counter\nkoerier_journal_appends_total \(journal.appends)\n"
        out += "# HELP koerier_journal_commits_total Journal group commits (one write and one fsync per file each).\n# TYPE koerier_journal_commits_total counter\nkoerier_journal_commits_total \(journal.commits)\n"
        return out
    }
}

import Foundation
import KoerierCore
import KoerierTransports
import Prometheus
import Synchronization

/// What `/metrics` shows beyond the dispatcher's text: delivery reports by provider and result, the feedback desk's
/// and the inbound reader's counts (bounces by status), report authentication failures, and disk free for the
/// spool and the journal. Kept in a swift-prometheus `PrometheusCollectorRegistry`; counts that other components
/// keep are copied in at each scrape. No label names a debtor or an action.
final class ListenerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let seen = Mutex<[String: Int]>([:])
    private let sends = Mutex(SendObservations())
    /// Upper bounds of the send-latency buckets: a relay's or provider's answer, 10 ms to 2 minutes.
    static let latencyBuckets: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                             .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(120)]
    private let spool: String
    private let journal: String

    /// Metrics for the daemon with this spool and journal.
    init(spool: String, journal: String) {
        self.spool = spool
        self.journal = journal
    }

    /// Takes the dispatcher's durable events (its observer): attempt latency and results, waiting actions.
    func observe(_ events: [JournalEvent]) {
        let attempts = sends.withLock { $0.take(events) }
        for attempt in attempts {
            let labels = [("channel", attempt.channel), ("provider", attempt.provider)]
            registry.makeDurationHistogram(
                descriptor: Self.descriptor("koerier_send_duration_seconds", "Time from an attempt's sending event to its answer, by channel and provider."),
                labels: labels, buckets: Self.latencyBuckets
            ).recordNanoseconds(Int64(min(attempt.seconds, 86_400) * 1_000_000_000))
            registry.makeCounter(descriptor: Self.descriptor("koerier_attempts_total", "Send attempts by channel and result (sent, failed, retry)."),
                                 labels: [("channel", attempt.channel), ("result", attempt.result)]).increment()
        }
    }

    /// The registry's exposition after copying in the current counts.
    func render(receiver: DeliveryReportReceiver?, desk: [String: Int], inbound: [String: Int], paused: [String: Bool] = [:], now: Date = Date()) -> String {
        for (provider, isPaused) in paused {
            registry.makeGauge(descriptor: Self.descriptor("koerier_provider_paused", "1 while an SMS provider is paused after a provider problem."),
                               labels: [("provider", provider)]).set(Int64(isPaused ? 1 : 0))
        }
        registry.makeGauge(descriptor: Self.descriptor("koerier_oldest_waiting_action_seconds",
                                                       "Age of the oldest action received by this process and not finished yet."))
            .set(sends.withLock { $0.oldestWaiting(now: now) })
        if let receiver {
            for (provider, results) in receiver.counted {
                for (result, count) in results {
                    mirror("koerier_delivery_reports_total", ["provider": provider, "result": result], count,
                           help: "Delivery-report requests at /dlr/<provider>, by provider and result (unauthenticated: failed authentication).")
                    if result == "unauthenticated" || result == "not_configured" {
                        mirror("koerier_report_auth_failures_total", ["provider": provider, "reason": result], count,
                               help: "Delivery reports refused because they failed authentication.")
                    }
                }
            }
        }
        for (outcome, count) in desk {
            mirror("koerier_feedback_reports_total", ["outcome": outcome], count,
                   help: "Reports (SMS delivery reports and email bounces) taken by the feedback desk, by outcome.")
        }
        for (outcome, count) in inbound {
            mirror("koerier_inbound_messages_total", ["outcome": outcome], count,
                   help: "Messages read from the spool's inbound folder (bounces, complaints, junk), by outcome.")
        }
        for (name, path) in [("spool", spool), ("journal", journal)] {
            if let free = Self.freeBytes(path) {
                registry.makeGauge(descriptor: Self.descriptor("koerier_disk_free_bytes", "Bytes available to the daemon on the file system of the spool or journal."),
                                   labels: [("path", name)]).set(free)
            }
        }
        return registry.emitToString()
    }

    /// Adds to a counter what a component counted since the last scrape.
    private func mirror(_ name: String, _ labels: [String: String], _ total: Int, help: String) {
        let sorted = labels.sorted { $0.key < $1.key }
        let key = name + "|" + sorted.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let delta = seen.withLock { seen -> Int in
            let before = seen[key] ?? 0
            seen[key] = max(before, total)
            return max(0, total - before)
        }
        let counter = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: sorted.map { ($0.key, $0.value) })
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }

    /// A metric's name and help text (the name given whole; no unit suffix added).
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Free bytes for unprivileged users on the file system holding `path` (statvfs), or nil.
    static func freeBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int64(clamping: UInt64(info.f_bavail)).multipliedReportingOverflow(by: Int64(clamping: UInt64(info.f_frsize)))
        return overflow ? Int64.max : bytes
    }
}

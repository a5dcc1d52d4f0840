import Foundation

/// The allowed range of every configured duration, in seconds, as `Config/koerier.yaml` documents them.
///
/// Each bound is far from anything that could overflow a `Duration`, an `Int` of nanoseconds or a `Date`,
/// so a value that passes here can be converted without a check.
enum DurationBounds {
    private static let second: TimeInterval = 1
    private static let minute: TimeInterval = 60
    private static let hour: TimeInterval = 3600
    private static let day: TimeInterval = 86_400

    /// `quiet_hours.spread`: 0 (no spreading) to 6 hours.
    static let spread: ClosedRange<TimeInterval> = 0...(6 * hour)
    /// `delivery.rescan_interval`: 1 second to 1 hour.
    static let rescanInterval: ClosedRange<TimeInterval> = second...hour
    /// `delivery.shutdown_deadline`: 1 second to 1 hour.
    static let shutdownDeadline: ClosedRange<TimeInterval> = second...hour
    /// `delivery.debtor_pacing`: 0 (off) to 30 days.
    static let debtorPacing: ClosedRange<TimeInterval> = 0...(30 * day)
    /// `delivery.retry.minimum_delay` and `maximum_delay`: 1 second to 1 day.
    static let retryDelay: ClosedRange<TimeInterval> = second...day
    /// `delivery.retry.maximum_age`: 1 minute to 14 days.
    static let retryAge: ClosedRange<TimeInterval> = minute...(14 * day)
}

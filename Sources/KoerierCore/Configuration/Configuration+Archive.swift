import Foundation

extension Configuration {
    /// The evidence archive (CONTRACT section 6): where, and for how long (personal data, AVG).
    public struct ArchiveSettings: Sendable, Equatable {
        /// The archive folder: one append-only file per UTC day.
        public var directory: String
        /// Day files older than this are deleted (seconds).
        public var retention: TimeInterval
    }

    /// The shortest and longest retention a configuration may set: a 14-day letter must stay provable for its term
    /// and a court case after it, and personal data may not be kept for ever.
    static let archiveRetention: ClosedRange<TimeInterval> = 30 * 86_400...(10 * 366 * 86_400)

    /// `archive: PATH` and `archive_retention: DURATION` (default 2 years), at the root.
    static func parseArchive(_ root: ConfigReader) throws(ConfigError) -> ArchiveSettings? {
        let retention = try root.duration("archive_retention", default: 2 * 366 * 86_400, range: archiveRetention)
        guard let directory = try root.path("archive", default: nil) else {
            if root.has("archive_retention") { try root.report("archive_retention", "is set but archive is not; set archive: to a folder") }
            return nil
        }
        return ArchiveSettings(directory: directory, retention: retention)
    }
}

import Foundation
import Logging
import ServiceLifecycle

/// Deletes archive day files older than the retention (personal data, AVG): at start, then every six hours.
public struct ArchiveRetention: Service {
    let settings: Configuration.ArchiveSettings
    let logger: Logger
    let now: @Sendable () -> Date

    public init(settings: Configuration.ArchiveSettings, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            sweep()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(6 * 3600)) }
        }
    }

    /// Deletes the expired day files now; returns their names.
    @discardableResult
    public func sweep() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.directory)) ?? []
        let expired = Self.expired(names, today: RFC3339.utcDay(now()), retention: settings.retention)
        for name in expired {
            if unlink(settings.directory + "/" + name) == 0 {
                logger.notice("archive day file deleted after its retention", metadata: ["archive.file": "\(name)"])
            }
        }
        return expired
    }

    /// The day files (`YYYY-MM-DD.archive`) whose whole day lies more than `retention` before `today`.
    static func expired(_ names: [String], today: CalendarDate, retention: TimeInterval) -> [String] {
        let keepDays = Int((retention / 86_400).rounded(.up))
        return names.filter { name in
            guard name.hasSuffix(".archive"), let day = CalendarDate(iso: String(name.dropLast(8))) else { return false }
            return day.dayNumber < today.dayNumber - keepDays
        }.sorted()
    }
}

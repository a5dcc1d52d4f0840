import Foundation
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Notices new files in new/ and cancel/ at once through inotify, and calls `onChange` from its own thread.
/// The daemon also rescans periodically, so a missed event (or no inotify) only delays, never loses.
/// A service: the inotify thread starts in `run()` and ends at graceful shutdown.
public final class SpoolWatcher: Service {
    private let layout: SpoolLayout
    private let logger: Logger
    private let onChange: @Sendable () -> Void
    private let stopped = Atomic<Bool>(false)

    public init(layout: SpoolLayout, logger: Logger, onChange: @escaping @Sendable () -> Void) {
        self.layout = layout
        self.logger = logger
        self.onChange = onChange
    }

    public func run() async throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else {
            logger.warning("inotify is not available; new files are found by the periodic rescan only")
            try? await gracefulShutdown()
            return
        }
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)
        for folder in [SpoolLayout.Folder.new, .cancel] where inotify_add_watch(fd, layout.path(folder), mask) < 0 {
            logger.warning("cannot watch a spool folder; it is found by the periodic rescan only", metadata: [
                "spool.folder": "\(folder.rawValue)", "error": "\(String(cString: strerror(errno)))",
            ])
        }
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (exited: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    watch(fd)
                    close(fd)
                    exited.resume()
                }
                thread.name = "koerier-inotify"
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            stopped.store(true, ordering: .releasing)
        }
    }

    /// Polls the inotify descriptor (half a second at a time, so a stop is seen soon) until stopped.
    private func watch(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .acquiring) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 500) > 0 {
                var any = false
                while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 { any = true }
                if any { onChange() }
            }
        }
    }
}

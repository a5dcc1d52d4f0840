import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Notices new files in new/ and cancel/ at once through inotify, and calls `onChange` from its own thread.
/// The daemon also rescans periodically, so a missed event (or no inotify) only delays, never loses.
public final class SpoolWatcher: Sendable {
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts watching; `nil` when inotify is unavailable.
    public init?(layout: SpoolLayout, onChange: @escaping @Sendable () -> Void) {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if fd < 0 { return nil }
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)
        for folder in [SpoolLayout.Folder.new, .cancel] {
            if inotify_add_watch(fd, layout.path(folder), mask) < 0 { close(fd); return nil }
        }
        self.fd = fd
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !self.stopped.load(ordering: .acquiring) {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 500)
                if ready > 0 {
                    var any = false
                    while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 { any = true }
                    if any { onChange() }
                }
            }
            self.exited.signal()
        }
        thread.name = "koerier-inotify"
        thread.start()
    }

    /// Stops the watcher thread and closes the inotify descriptor.
    public func stop() {
        if stopped.exchange(true, ordering: .acquiringAndReleasing) { return }
        exited.wait()
        close(fd)
    }
}

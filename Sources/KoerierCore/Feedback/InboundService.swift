import Foundation
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads the messages `koerier bounce` keeps in `<spool>/inbound/`, classifies each (`BounceClassifier`) and hands
/// the reports to the feedback desk. A file is removed once what it means is durable (or once it is known to mean
/// nothing); a file whose report could not be made durable stays for the next pass. Rescans every `interval`.
public final class InboundService: Service {
    private let folder: String
    private let desk: FeedbackDesk
    private let bounce: Configuration.BounceSettings?
    private let logger: Logger
    private let interval: TimeInterval
    private let counters = Mutex<[String: Int]>([:])

    /// Reads `<spool>/inbound/` for `desk`; without `bounce` settings every message there is dropped.
    public init(spool: String, desk: FeedbackDesk, bounce: Configuration.BounceSettings?, logger: Logger, interval: TimeInterval = 2) {
        self.folder = InboundMessage.folder(spool: spool)
        self.desk = desk
        self.bounce = bounce
        self.logger = logger
        self.interval = interval
    }

    /// Messages read, by outcome (`undelivered`, `complained`, `delayed`, `forged`, `not_report`, ...).
    public var counts: [String: Int] { counters.withLock { $0 } }

    /// The service: a pass now and every `interval` until graceful shutdown.
    public func run() async throws {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await pass()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(self.interval * 1000))) }
        }
    }

    /// Reads every kept message once, oldest name first.
    public func pass() async {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter(InboundMessage.isMessageName).sorted()
        for name in names.prefix(1000) {
            if Task.isShuttingDownGracefully { return }
            await handle(name)
        }
    }

    private func handle(_ name: String) async {
        let path = folder + "/" + name
        guard let bytes = Self.readRegularFile(path, limit: InboundMessage.maximumBytes + 2048) else {
            count("unreadable")
            logger.warning("an inbound file that is not a readable regular file is removed", metadata: ["feedback.file": "\(name)"])
            remove(path)
            return
        }
        let message = InboundMessage(file: bytes)
        guard let bounce else {
            count("no_bounce_settings")
            logger.warning("a message reached inbound/ but email.bounce is not configured; removed", metadata: ["feedback.file": "\(name)"])
            remove(path)
            return
        }
        switch BounceClassifier.classify(message, bounce: bounce, idForHash: desk.actionID(hash:)) {
        case .drop(let kind, let why):
            count(kind)
            logger.notice("a message to the bounce address means nothing; removed", metadata: [
                "feedback.file": "\(name)", "feedback.kind": "\(kind)", "feedback.why": "\(why)",
            ])
            remove(path)
        case .delayed(let actionID):
            count("delayed")
            logger.info("a delay notice; nothing changes", metadata: ["action.id": "\(actionID)", "feedback.file": "\(name)"])
            remove(path)
        case .report(let report):
            switch await desk.accept(report) {
            case .failed(let why):
                count("failed")
                logger.warning("a bounce could not be recorded now; tried again later", metadata: ["feedback.file": "\(name)", "feedback.why": "\(why)"])
            case .recorded(let kind):
                count(kind.rawValue)
                remove(path)
            case .held:
                count("held")
                remove(path)
            case .ignored, .unknown:
                count("ignored")
                remove(path)
            }
        }
    }

    private func count(_ key: String) { counters.withLock { $0[key, default: 0] += 1 } }

    private func remove(_ path: String) {
        unlink(path)
        DurableFile.syncFolder(folder)
    }

    /// The first `limit` bytes of a regular file (checked with fstat on the open descriptor, no symlinks followed).
    static func readRegularFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while out.count < limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}

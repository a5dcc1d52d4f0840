import Foundation
import KoerierCore

/// The embedded default: writes each message as `<outbox>/<action id>.eml`, durable before it reports success.
public struct OutboxTransport: EmailTransport {
    public let name = "outbox"
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func send(_ message: EmailMessage) async -> DeliveryOutcome {
        let path = "\(directory)/\(message.actionID).eml"
        do {
            try DurableFile.write(message.bytes, to: path)
            return .accepted(code: nil, detail: "written to \(path)", messageID: message.messageID)
        } catch {
            return .temporary(code: nil, detail: "cannot write to the outbox: \(error)", retryAfter: nil)
        }
    }

    public func shutdown() async {}
}

/// Writes a file through a temporary name, fsync and rename.
enum DurableFile {
    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = (path as NSString).deletingLastPathComponent + "/.tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(description: String(cString: strerror(errno))) }
        var offset = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
            if fsync(fd) != 0 { failure = errno }
        }
        close(fd)
        if failure != 0 || rename(temporary, path) != 0 {
            let code = failure != 0 ? failure : errno
            unlink(temporary)
            throw WriteError(description: String(cString: strerror(code)))
        }
    }
}

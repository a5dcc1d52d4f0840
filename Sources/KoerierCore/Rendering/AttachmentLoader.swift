import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads an action's PDF attachments from below the configured attachments root, distrusting every file:
/// opened without following a last symlink and without blocking (a named pipe cannot stall the dispatcher),
/// checked with `fstat` (regular files only, at most `maximumSize`) before a byte is read, then read with a bound.
///
/// A failure is a `RenderError` whose `temporary` flag says whether trying again later may work (too many open
/// files, no memory, an I/O error) or the action can never be sent as it is (missing, not readable, too large,
/// not a PDF).
public enum AttachmentLoader {
    /// The largest attachment: 10 MiB.
    public static let maximumSize = 10 << 20

    /// Reads the action's attachments from below `root`, refusing anything that resolves outside it.
    public static func load(_ action: Action, root: String) throws(RenderError) -> [MailAttachment] {
        guard !action.attachments.isEmpty else { return [] }
        let realRoot = (root as NSString).resolvingSymlinksInPath
        var result: [MailAttachment] = []
        for (index, attachment) in action.attachments.enumerated() {
            let field = "attachments[\(index)].path: \"\(attachment.path)\""
            let path = (realRoot as NSString).appendingPathComponent(attachment.path)
            let resolved = (path as NSString).resolvingSymlinksInPath
            guard resolved.hasPrefix(realRoot + "/") else {
                throw RenderError(reason: "\(field) resolves outside the attachments root")
            }
            let bytes: [UInt8]
            switch contents(of: resolved, limit: maximumSize) {
            case .success(let read): bytes = read
            case .failure(let problem): throw problem.error(field: field, root: root)
            }
            if !bytes.starts(with: Array("%PDF-".utf8)) {
                throw RenderError(reason: "\(field) is not a PDF (it does not start with %PDF-)")
            }
            result.append(MailAttachment(filename: attachment.filename, data: bytes))
        }
        return result
    }

    /// Why a file could not be read.
    public enum Problem: Error, Equatable, Sendable {
        /// Nothing by that name (ENOENT, ENOTDIR).
        case missing
        /// A symbolic link where the file should be (ELOOP with O_NOFOLLOW).
        case symbolicLink
        /// A folder, named pipe, socket or device.
        case notRegular
        /// Larger than the limit (by `fstat`, or by reading when the file grew).
        case tooLarge(Int)
        /// The file exists but cannot be read (EACCES, EPERM, ...): the action cannot be sent as it is.
        case unreadable(String)
        /// A passing condition of this machine (EMFILE, ENFILE, ENOMEM, EIO, ...): trying again later may work.
        case temporary(String)

        /// The `RenderError` for an attachment `field` under `root`.
        func error(field: String, root: String) -> RenderError {
            switch self {
            case .missing:
                return RenderError(reason: "\(field) does not exist under the attachments root \(root)")
            case .symbolicLink:
                return RenderError(reason: "\(field) is a symbolic link that changed while it was opened")
            case .notRegular:
                return RenderError(reason: "\(field) is not a regular file (a folder, named pipe or device)")
            case .tooLarge(let size):
                return RenderError(reason: "\(field) is \(size) bytes; at most 10 MiB")
            case .unreadable(let why):
                return RenderError(reason: "\(field) cannot be read: \(why)")
            case .temporary(let why):
                return RenderError(reason: "\(field) cannot be read now: \(why); it is tried again later", temporary: true)
            }
        }
    }

    /// The problem an `errno` from open, fstat or read stands for: the one place that decides temporary or not.
    public static func problem(errno code: Int32) -> Problem {
        let text = String(cString: strerror(code))
        switch code {
        case ENOENT, ENOTDIR: return .missing
        case ELOOP: return .symbolicLink
        case EMFILE, ENFILE, ENOMEM, EIO, ENOBUFS, EAGAIN, EINTR, ETIMEDOUT, ESTALE, ENOLCK, EBUSY, ETXTBSY:
            return .temporary(text)
        default: return .unreadable(text)
        }
    }

    /// The contents of the regular file at `path`, at most `limit` bytes.
    public static func contents(of path: String, limit: Int) -> Result<[UInt8], Problem> {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(problem(errno: errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(problem(errno: errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular) }
        let size = Int(status.st_size)
        if size > limit { return .failure(.tooLarge(size)) }

        // Read at most one byte more than the limit: a file that grew since fstat is refused, never read whole.
        var bytes = [UInt8](repeating: 0, count: min(max(size, 0), limit) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                if count > limit { return .failure(.tooLarge(count)) }
                bytes.append(contentsOf: repeatElement(0, count: min(64 << 10, limit + 1 - count)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(descriptor, base + count, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(problem(errno: errno))
            }
            if got == 0 { break }
            count += got
        }
        bytes.removeSubrange(count...)
        return .success(bytes)
    }
}

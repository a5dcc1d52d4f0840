import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on a lock file inside a folder, held for the life of the process.
///
/// One Koerier process owns a spool and a journal at a time (CONTRACT section 1). The kernel drops the lock when
/// the process dies, `kill -9` included, so a restart never waits for a stale lock. The file holds the owner's
/// pid, so a second process can say who holds it; the pid is information only, the flock is the lock.
public final class OwnerLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock on `folder` (created if missing) or throws at once: it never waits for another holder.
    public static func acquire(folder: String, name: String, what: String) throws(OwnerLockError) -> OwnerLock {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OwnerLockError(path: folder, held: false, holder: nil, reason: "cannot create the \(what) folder: \(error.localizedDescription)")
        }
        let path = folder + "/" + name
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if fd < 0 {
            throw OwnerLockError(path: path, held: false, holder: nil, reason: "cannot open the \(what) lock: \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = code == EWOULDBLOCK ? readPID(fd) : nil
            close(fd)
            if code == EWOULDBLOCK {
                let who = holder.map { "koerier process \($0)" } ?? "another koerier process"
                throw OwnerLockError(path: path, held: true, holder: holder,
                                     reason: "the \(what) \(folder) is in use by \(who); one process owns a \(what) at a time (stop it first, or use another \(what))")
            }
            throw OwnerLockError(path: path, held: false, holder: nil, reason: "cannot lock the \(what): \(String(cString: strerror(code)))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return OwnerLock(path: path, descriptor: fd)
    }

    /// The pid written by the holder, when it reads as one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }
}

/// The lock is held by another process, or could not be taken.
public struct OwnerLockError: Error, Sendable, CustomStringConvertible {
    public let path: String
    /// True when another process holds the lock (a temporary condition: exit 75), false when it could not be taken.
    public let held: Bool
    /// The pid of the process holding the lock, when known.
    public let holder: Int32?
    public let reason: String
    public var description: String { reason }
}

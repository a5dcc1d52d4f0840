import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about the daemon's state (`Type=notify`): a datagram to `$NOTIFY_SOCKET`, as sd_notify(3) sends it.
/// Without the variable (not started by systemd) it does nothing.
public enum SystemdNotify {
    /// Sends `state` (e.g. `READY=1`, `STOPPING=1`, `STATUS=...`); true when systemd got it.
    @discardableResult
    public static func send(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard var path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return false }
        // An abstract socket is written with a leading '@' and addressed with a leading NUL.
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        let bytes = Array(path.utf8)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let offset = abstract ? 1 : 0
        guard bytes.count + offset < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index + offset] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + offset + bytes.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, target, length) }
            }
        }
        return sent == message.count
    }
}

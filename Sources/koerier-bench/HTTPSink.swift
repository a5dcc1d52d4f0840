import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal, fast HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request like MessageBird's
/// `POST /messages` (201 with an id). One thread per connection; enough for a benchmark sink.
final class HTTPSink: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let counter = Counter()

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    var requests: Int { counter.count }

    init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 512) == 0 else { throw BenchError("HTTP sink cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = fd
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { if errno == EINTR { continue }; return }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in self.serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var pending: [UInt8] = []
        var sequence = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            pending.append(contentsOf: buffer[0..<n])
            while let headerEnd = Self.find(pending, [13, 10, 13, 10]) {
                let head = String(decoding: pending[0..<headerEnd], as: UTF8.self).lowercased()
                var bodyLength = 0
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                let total = headerEnd + 4 + bodyLength
                guard pending.count >= total else { break }
                pending.removeFirst(total)
                sequence += 1
                counter.increment()
                let body = "{\"id\":\"bench-\(fd)-\(sequence)\",\"recipients\":{\"totalCount\":1,\"totalSentCount\":1,\"items\":[{\"status\":\"sent\"}]}}"
                let response = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                let bytes = Array(response.utf8)
                var offset = 0
                while offset < bytes.count {
                    let w = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                    if w <= 0 { return }
                    offset += w
                }
            }
        }
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

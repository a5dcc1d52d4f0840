import ArgumentParser
import Foundation
import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

/// `koerier bounce`: keeps one message to the bounce address for the daemon (an MTA's pipe transport or alias).
struct BounceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounce",
        abstract: "Read one bounce or complaint on standard input and keep it in <spool>/inbound/ for the daemon.",
        discussion: """
        Exits 0 once the message is durable, 75 when it cannot be kept (the MTA tries again later). \
        Takes no lock and writes no journal: the daemon reads inbound/ and journals what the message means. \
        At most 10 MiB is kept.
        """
    )

    @Option(name: .long, help: "The YAML configuration file (only `spool` is read).")
    var config: String

    @Option(name: .long, help: "The address the message was sent to (Postfix: ${recipient}); else Delivered-To, X-Original-To or To.")
    var recipient: String?

    func run() throws {
        let spool: String
        do {
            spool = try Configuration.spoolPath(file: config)
        } catch {
            Bootstrap.fail(error.description)
            throw Sysexits.configError
        }
        let message = Self.readStandardInput(limit: InboundMessage.maximumBytes)
        guard let message else {
            Bootstrap.fail("cannot read the message on standard input: \(String(cString: strerror(errno)))")
            throw Sysexits.temporary
        }
        let kept = InboundMessage(recipient: InboundMessage.recipient(given: recipient, message: message[...]), message: message[...])
        let folder = InboundMessage.folder(spool: spool)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try DurableFile.write(kept.encoded(), to: folder + "/" + InboundMessage.newName())
        } catch {
            Bootstrap.fail("cannot keep the message in \(folder): \(error)")
            throw Sysexits.temporary
        }
    }

    /// Reads standard input to its end, keeping the first `limit` bytes (the rest is read and dropped, so the
    /// MTA's pipe never sees a broken pipe); nil on a read error.
    static func readStandardInput(limit: Int) -> [UInt8]? {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return kept }
            let room = limit - kept.count
            if room > 0 { kept.append(contentsOf: buffer[0..<min(n, room)]) }
        }
    }
}

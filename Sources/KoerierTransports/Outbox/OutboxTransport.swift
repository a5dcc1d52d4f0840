import Foundation
import KoerierCore
import ServiceLifecycle

/// The embedded default: writes each message as `<outbox>/<action id>.eml`, durable before it reports success.
public struct OutboxTransport: EmailTransport, Service {
    public let name = "outbox"
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Nothing runs in the background: the service only marks its place in the start and stop order.
    public func run() async throws {
        try? await gracefulShutdown()
    }

    public func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome {
        let path = "\(directory)/\(message.actionID).eml"
        guard await permit() else { return .withheld }
        do {
            try DurableFile.write(message.bytes, to: path)
            return .accepted(code: nil, detail: "written to \(path)", messageID: message.messageID)
        } catch {
            return .temporary(code: nil, detail: "cannot write to the outbox: \(error)", retryAfter: nil)
        }
    }

    public func shutdown() async {}
}

import Curl
import Foundation
import KoerierCore
import Logging
import ServiceLifecycle
import Synchronization

/// Sends email through an SMTP relay with libcurl: STARTTLS or implicit TLS, one recipient per transaction,
/// connections reused and run in parallel through one curl multi handle on its own thread.
///
/// At most `connections` transactions run at once. The permit (which journals `sending`) is asked by up to `sendAhead`
/// messages next in line for a connection while those ahead are still on the wire: their `sending` events share
/// one fsync, and no connection idles for the journal. At most `sendAhead + connections` messages are journalled
/// `sending` without an answer at any moment (what a crash can leave in doubt). With `sendAhead` 0 the permit is
/// asked only once the connection is taken, right before the first byte: at most `connections` in doubt.
public final class SMTPTransport: EmailTransport, Service {
    public let name = "smtp"
    private let settings: Configuration.SMTPSettings
    private let gate: AsyncGate
    /// Places for the messages next in line (`sendAhead`), taken before the permit, left once on the wire.
    private let nextInLine: AsyncGate?
    /// The curl multi handle in use; replaced (and the old one drained) when a connection may be out of step.
    private let driver: Mutex<CurlMultiDriver>
    private let pool = Mutex<[CurlEasy]>([])
    private let logger: Logger
    /// Cuts the login out of every reply line before it is classified, logged or journalled.
    private let redactor: SMTPCredentialRedactor

    /// Why the transport could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(settings: Configuration.SMTPSettings, logger: Logger, sendAhead: Int = 32) throws {
        guard let driver = CurlMultiDriver(maxHostConnections: settings.connections, name: "koerier-smtp") else {
            throw StartError(description: "libcurl could not be initialised")
        }
        self.settings = settings
        self.gate = AsyncGate(width: settings.connections)
        self.nextInLine = sendAhead > 0 ? AsyncGate(width: sendAhead) : nil
        self.driver = Mutex(driver)
        self.logger = logger
        self.redactor = SMTPCredentialRedactor(username: settings.username, password: settings.password)
    }

    /// The service: the curl thread starts with the first message; at shutdown the transactions under way end first.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    public func send(_ message: EmailMessage, permit: @escaping SendPermit) async -> DeliveryOutcome {
        // libcurl 7.88 passes CR/LF in envelope addresses straight to the relay: refuse them here too.
        for address in [message.envelopeFrom, message.recipient] where !Self.isSafeEnvelopeAddress(address) {
            return .permanent(code: nil, detail: "envelope address \"\(address.debugEscaped)\" contains characters not allowed in SMTP")
        }
        var request = CurlRequest(url: settings.url)
        request.mailFrom = message.envelopeFrom
        request.mailRecipients = [message.recipient]
        request.body = message.bytes
        request.tls = settings.tls == .required ? .required : .none
        request.username = settings.username
        request.password = settings.password
        request.connectTimeout = settings.connectTimeout
        request.timeout = settings.timeout
        request.verifyPeer = settings.verifyPeer

        if let nextInLine {
            await nextInLine.enter()
            guard await permit() else {
                await nextInLine.leave()
                return .withheld
            }
            await gate.enter()
            await nextInLine.leave()
        } else {
            // send_ahead 0: the permit only once the connection is ours, right before the first byte.
            await gate.enter()
            guard await permit() else {
                await gate.leave()
                return .withheld
            }
        }
        // A handle (with its buffers) only for a transfer that has its connection: at most `connections` of them.
        guard let easy = pool.withLock({ $0.popLast() }) ?? CurlEasy() else {
            await gate.leave()
            return .temporary(code: nil, detail: "libcurl could not create a handle", retryAfter: nil)
        }
        easy.configure(request)
        let current = driver.withLock { $0 }
        let response = Self.redacting(await current.perform(easy), with: redactor)
        await gate.leave()
        pool.withLock { $0.append(easy) }
        if let error = response.error, !Self.endedCleanly(response, error: error) {
            replaceConnections(after: current)
        }
        let outcome = Self.classify(response, messageID: message.messageID)
        if case .accepted = outcome {} else {
            logger.info("relay did not accept the message", metadata: [
                "action.id": "\(message.actionID)", "smtp.reply": "\(Self.lastReply(response))",
            ])
        }
        return outcome
    }

    public func shutdown() async {
        let current = driver.withLock { $0 }
        await Self.drain(current)
    }

    /// `response` with the login removed from every reply line and from curl's error text, so nothing kept later
    /// (journal `detail`, log lines, reason files) can hold it in any form.
    static func redacting(_ response: CurlResponse, with redactor: SMTPCredentialRedactor) -> CurlResponse {
        var clean = response
        clean.headerLines = redactor.redact(lines: response.headerLines)
        clean.error = response.error.map { $0.mappingDetail(redactor.redact) }
        return clean
    }

    /// True when the relay answered with a reply code, so the SMTP session is in step and its connection reusable.
    static func endedCleanly(_ response: CurlResponse, error: CurlError) -> Bool {
        (400..<600).contains(response.responseCode) && !error.isTimeout
    }

    /// A timeout or a broken exchange may leave a connection out of step (a late reply could be read as the
    /// answer to the next message). Start a new multi handle with no cached connections; drain the old one.
    private func replaceConnections(after failed: CurlMultiDriver) {
        let replaced = driver.withLock { current -> CurlMultiDriver? in
            guard current === failed, let fresh = CurlMultiDriver(maxHostConnections: settings.connections, name: "koerier-smtp") else { return nil }
            fresh.start()
            current = fresh
            return failed
        }
        guard let replaced else { return }
        logger.notice("SMTP connections reset after a broken exchange with the relay")
        Task.detached { await Self.drain(replaced) }
    }

    /// Waits for a driver's transfers to end and stops its thread, off the concurrency pool.
    private static func drain(_ driver: CurlMultiDriver) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                driver.shutdown()
                continuation.resume()
            }
        }
    }

    /// Decides, once, what a relay's answer means for the action.
    static func classify(_ response: CurlResponse, messageID: String) -> DeliveryOutcome {
        let reply = lastReply(response)
        let code = response.responseCode
        guard let error = response.error else {
            return .accepted(code: code == 0 ? 250 : code, detail: reply, messageID: messageID)
        }
        let detail = reply.isEmpty ? error.description : reply
        if error.isLoginDenied || code == 535 || code == 530 || code == 534 {
            // The relay refused our credentials: a configuration problem, not this message's fault.
            return .temporary(code: code == 0 ? nil : code, detail: "authentication failed: \(detail)", retryAfter: nil)
        }
        if error.isTLSFailure {
            return .temporary(code: nil, detail: "TLS could not be set up with the relay: \(error.description)", retryAfter: nil)
        }
        if (500..<600).contains(code) { return .permanent(code: code, detail: detail) }
        if (400..<500).contains(code) { return .temporary(code: code, detail: detail, retryAfter: nil) }
        if error.isConnectFailure { return .temporary(code: nil, detail: "cannot connect to the relay: \(error.description)", retryAfter: nil) }
        if response.bytesSent > 0 {
            // The message was (partly) handed over and no final answer came: the relay may have queued it.
            return .unknown(detail: "no final answer from the relay after the message was sent: \(error.description)")
        }
        return .temporary(code: code == 0 ? nil : code, detail: detail, retryAfter: nil)
    }

    /// The relay's reply that decided the transaction, e.g. `250 2.0.0 Ok: queued as 4Xb2` or
    /// `550 5.1.1 <x@y>: Recipient address rejected`, at most 500 characters. curl sends QUIT after a refusal,
    /// so the last line may be `221 Bye`: the line carrying curl's response code is the one that counts.
    static func lastReply(_ response: CurlResponse) -> String {
        let replies = response.headerLines.filter { $0.utf8.count >= 3 && $0.utf8.prefix(3).allSatisfy { $0 >= 48 && $0 <= 57 } }
        let code = String(response.responseCode)
        let line = response.responseCode > 0 ? replies.last { $0.hasPrefix(code) } ?? replies.last : replies.last
        return String((line ?? "").prefix(500))
    }

    static func isSafeEnvelopeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
    }
}

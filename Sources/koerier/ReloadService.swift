import Foundation
import KoerierCore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads configuration and templates; a broken new configuration is refused and the old one stays.
struct ReloadService: Service {
    let dispatcher: Dispatcher
    let configFile: String
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            SystemdNotify.send("RELOADING=1")
            reload()
            SystemdNotify.send("READY=1")
        }
    }

    private func reload() {
        switch Bootstrap.configuration(configFile) {
        case .failure(let error):
            logger.error("reload refused: the new configuration is broken; the old one stays in force", metadata: ["error": "\(error)"])
        case .success(let configuration):
            do {
                var runtime = try Bootstrap.runtime(configuration, logger: logger, transports: false, lint: true)
                let old = dispatcher.runtime
                runtime.email = old.email
                runtime.sms = old.sms
                if configuration.spool != old.configuration.spool || configuration.journal != old.configuration.journal
                    || configuration.archive != old.configuration.archive {
                    logger.error("reload refused: spool, journal and archive cannot change while running; restart instead")
                    return
                }
                if Self.transportSettings(configuration) != Self.transportSettings(old.configuration) {
                    // The running transports would keep sending with the old settings (an outbox instead of
                    // the relay, say): refuse rather than appear to apply them.
                    logger.error("reload refused: email or SMS transport settings changed (email.transport, email.smtp, sms.providers or their secrets); restart to apply them")
                    return
                }
                dispatcher.reload(runtime)
                logger.notice("configuration and templates reloaded")
            } catch {
                logger.error("reload refused: the new templates are broken; the old ones stay in force", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Everything the transports were built from, secrets included, for comparison only (never logged).
    static func transportSettings(_ configuration: Configuration) -> String {
        let email = configuration.email
        let smtp = email.smtp.map { "\($0.url)|\($0.tls)|\($0.username ?? "")|\($0.password ?? "")|\($0.connections)|\($0.timeout)|\($0.connectTimeout)|\($0.verifyPeer)" } ?? ""
        let sms = configuration.sms.providers.map {
            "\($0.name)|\($0.url)|\($0.secret ?? "")|\($0.concurrency)|\($0.ratePerSecond)|\($0.timeout)|\($0.options)"
        }.joined(separator: ";")
        return "\(email.transport)|\(email.outbox)|\(smtp)|\(sms)"
    }
}

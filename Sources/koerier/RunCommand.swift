import ArgumentParser
import Dispatch
import Foundation
import KoerierCore
import Logging

/// `koerier run`: the daemon (or one pass with --once).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon until SIGTERM/SIGINT; SIGHUP reloads configuration and templates.",
        discussion: "With --once: process what is due now, wait for those sends to end, and exit (for cron and tests)."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Flag(name: .long, help: "Process what is due now and exit.")
    var once = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = ProcessInfo.processInfo.environment["KOERIER_LOG_LEVEL"] ?? "info"

    func run() async throws {
        Bootstrap.logging(level: logLevel)
        let logger = Logger(label: "koerier")
        let configuration = try Bootstrap.loadConfiguration(config)
        let runtime = try Bootstrap.loadRuntime(configuration, logger: logger, transports: true)
        let journal: Journal
        do {
            journal = try Journal(directory: configuration.journal)
        } catch {
            Bootstrap.fail(error.description)
            throw Sysexits.ioError
        }
        let dispatcher = Dispatcher(runtime: runtime, journal: journal, logger: logger)
        let signals = SignalHandlers(dispatcher: dispatcher, configFile: config, logger: logger,
                                     deadline: configuration.delivery.shutdownDeadline)
        signals.install()
        logger.info("koerier started", metadata: [
            "spool": "\(configuration.spool)", "journal": "\(configuration.journal)",
            "email.transport": "\(configuration.email.transport.rawValue)", "once": "\(once)",
        ])
        let metrics = configuration.metricsFile.map { file in
            Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    await Self.writeMetrics(dispatcher, to: file)
                }
            }
        }
        defer { metrics?.cancel() }
        do {
            try await dispatcher.run(once: once)
            if let file = configuration.metricsFile { await Self.writeMetrics(dispatcher, to: file) }
        } catch {
            Bootstrap.fail("cannot run: \(error)")
            throw Sysexits.ioError
        }
        await dispatcher.runtime.email?.shutdown()
        await dispatcher.runtime.sms?.shutdown()
        journal.close()
    }
}

extension RunCommand {
    /// Writes the metrics file atomically (temporary name, then rename), as textfile collectors expect.
    static func writeMetrics(_ dispatcher: Dispatcher, to file: String) async {
        let text = await dispatcher.metrics().prometheusText()
        let temporary = file + ".tmp"
        if (try? Data(text.utf8).write(to: URL(fileURLWithPath: temporary))) != nil {
            _ = rename(temporary, file)
        }
    }
}

/// SIGTERM/SIGINT stop gracefully within a deadline; SIGHUP reloads, keeping the old runtime when the new one is broken.
final class SignalHandlers: Sendable {
    private let dispatcher: Dispatcher
    private let configFile: String
    private let logger: Logger
    private let deadline: TimeInterval
    private let sources = NonSendableBox<[any DispatchSourceSignal]>([])

    init(dispatcher: Dispatcher, configFile: String, logger: Logger, deadline: TimeInterval) {
        self.dispatcher = dispatcher
        self.configFile = configFile
        self.logger = logger
        self.deadline = deadline
    }

    func install() {
        var installed: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in stop(signal: number) }
            source.resume()
            installed.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hup.setEventHandler { [self] in reload() }
        hup.resume()
        installed.append(hup)
        sources.value = installed
    }

    private func stop(signal number: Int32) {
        logger.notice("stopping: no new work; in-flight sends finish", metadata: [
            "signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")", "shutdown.deadline": "\(deadline)",
        ])
        dispatcher.stop()
        let logger = self.logger
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline) {
            // Sends still open are abandoned; the journal shows them as ambiguous and recovery handles them.
            logger.warning("shutdown deadline reached; exiting with sends still open (recovered at the next start)")
            exit(0)
        }
    }

    private func reload() {
        let logger = self.logger
        switch Bootstrap.configuration(configFile) {
        case .failure(let error):
            logger.error("reload refused: the new configuration is broken; the old one stays in force", metadata: ["error": "\(error)"])
        case .success(let configuration):
            do {
                var runtime = try Bootstrap.runtime(configuration, logger: logger, transports: false)
                let old = dispatcher.runtime
                runtime.email = old.email
                runtime.sms = old.sms
                if configuration.spool != old.configuration.spool || configuration.journal != old.configuration.journal {
                    logger.error("reload refused: spool and journal cannot change while running; restart instead")
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
}

extension SignalHandlers {
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

/// Holds a value that is only touched from one place at a time (signal set-up).
final class NonSendableBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

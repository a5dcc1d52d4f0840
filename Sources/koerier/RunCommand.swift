import ArgumentParser
import Foundation
import KoerierCore
import KoerierTransports
import Logging
import ServiceLifecycle

/// `koerier run`: the daemon (or one pass with --once).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon until SIGTERM/SIGINT; SIGHUP reloads configuration and templates.",
        discussion: """
        With --once: process what is due now, wait for those sends to end, and exit (for cron and tests).
        One process owns a spool and a journal: a second run on either exits at once with 75, naming the holder.
        """
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
        // The locks come first: a second process touches nothing, not even a torn journal line.
        let locks = try Self.lock(configuration)
        let runtime = try Bootstrap.loadRuntime(configuration, logger: logger, transports: true, lint: true)
        let journal: Journal
        do {
            journal = try Journal(directory: configuration.journal, archive: configuration.archive?.directory)
        } catch {
            Bootstrap.fail(error.description)
            throw Sysexits.temporary
        }
        let dispatcher = Dispatcher(runtime: runtime, journal: journal, logger: logger)
        // The listener's metrics follow the dispatcher's events from the start (send latency, waiting actions).
        let listenerMetrics = configuration.http == nil ? nil : ListenerMetrics(spool: configuration.spool, journal: configuration.journal)
        // Reports come only through the bounce address or the listener: without either there is no desk, and no
        // window of sent actions in memory.
        let feedback = configuration.email.bounce == nil && configuration.http == nil ? nil
            : FeedbackWiring(configuration: configuration, journal: journal, dispatcher: dispatcher, logger: logger,
                             alsoObserve: Self.observer(listenerMetrics))
        if once { await feedback?.readInboundOnce() }
        let group = ServiceGroup(configuration: Self.services(
            configuration: configuration, runtime: runtime, journal: journal, dispatcher: dispatcher,
            configFile: config, once: once, logger: logger, feedback: feedback, listenerMetrics: listenerMetrics
        ))
        logger.info("koerier started", metadata: [
            "spool": "\(configuration.spool)", "journal": "\(configuration.journal)",
            "email.transport": "\(configuration.email.transport.rawValue)", "once": "\(once)", "pid": "\(getpid())",
        ])
        do {
            try await group.run()
        } catch {
            Bootstrap.fail("cannot run: \(error)")
            throw Sysexits.temporary
        }
        withExtendedLifetime(locks) {}
        let unfinished = dispatcher.unfinished
        if !unfinished.isEmpty {
            for line in unfinished { Bootstrap.fail("not finished in this run: \(line)") }
            throw Sysexits.temporary
        }
    }

    /// The exclusive locks on the spool and the journal folder, held until the process ends.
    static func lock(_ configuration: Configuration) throws -> [OwnerLock] {
        do {
            return [
                try OwnerLock.acquire(folder: configuration.spool, name: ".koerier-spool.lock", what: "spool"),
                try OwnerLock.acquire(folder: configuration.journal, name: ".koerier-journal.lock", what: "journal"),
            ]
        } catch {
            Bootstrap.fail(error.description)
            throw error.held ? Sysexits.temporary : Sysexits.ioError
        }
    }

    /// The services in dependency order: the group starts them in this order and stops them in reverse, so the
    /// dispatcher stops first (sends under way finish), then the listeners and transports, and the journal last.
    static func services(configuration: Configuration, runtime: Runtime, journal: Journal, dispatcher: Dispatcher,
                         configFile: String, once: Bool, logger: Logger, feedback: FeedbackWiring? = nil,
                         listenerMetrics: ListenerMetrics? = nil) -> ServiceGroupConfiguration {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: journal)]
        for transport in [runtime.email as? any Service, runtime.sms as? any Service].compactMap({ $0 }) {
            services.append(.init(service: transport))
        }
        if let feedback, !once {
            services.append(contentsOf: [.init(service: feedback.desk), .init(service: feedback.inbound)])
        }
        if !once {
            services.append(.init(service: SpoolWatcher(layout: SpoolLayout(root: configuration.spool), logger: logger) { dispatcher.nudge() }))
            services.append(.init(service: ReloadService(dispatcher: dispatcher, configFile: configFile, logger: logger)))
        }
        if let archive = configuration.archive {
            services.append(.init(service: ArchiveRetention(settings: archive, logger: logger)))
        }
        if let file = configuration.metricsFile {
            services.append(.init(service: MetricsFileService(dispatcher: dispatcher, file: file)))
        }
        if let http = configuration.http, !once {
            let metrics = listenerMetrics ?? ListenerMetrics(spool: configuration.spool, journal: configuration.journal)
            services.append(.init(service: listener(http, configuration: configuration, runtime: runtime, dispatcher: dispatcher,
                                                    feedback: feedback, metrics: metrics, logger: logger)))
        }
        let forced: @Sendable () -> Void = { forcedExit(journal: journal, logger: logger) }
        let ready: @Sendable () -> Void = {
            if !once { SystemdNotify.send("READY=1\nSTATUS=taking work from \(configuration.spool)/new") }
        }
        services.append(.init(service: DispatcherService(dispatcher: dispatcher, once: once, onReady: ready, onForcedStop: forced),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        var group = ServiceGroupConfiguration(services: services, logger: logger)
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        group.maximumGracefulShutdownDuration = .milliseconds(Int(configuration.delivery.shutdownDeadline * 1000))
        return group
    }

    /// The listener metrics' observer of journalled events, or nil without a listener.
    static func observer(_ metrics: ListenerMetrics?) -> (@Sendable ([JournalEvent]) -> Void)? {
        guard let metrics else { return nil }
        return { events in metrics.observe(events) }
    }

    /// The HTTP listener: readiness from the dispatcher and a look at the journal, metrics from the dispatcher and
    /// the listener's registry, delivery reports to the feedback desk.
    static func listener(_ http: Configuration.HTTPSettings, configuration: Configuration, runtime: Runtime, dispatcher: Dispatcher,
                         feedback: FeedbackWiring?, metrics registry: ListenerMetrics, logger: Logger) -> HTTPListener {
        let sink: any FeedbackSink = feedback?.desk ?? UnavailableSink()
        let receiver = DeliveryReportReceiver(providers: DeliveryReportReceiver.providers(configuration.sms.providers), sink: sink, logger: logger)
        let sms = runtime.sms as? HTTPSMSTransport
        let journal = configuration.journal
        return HTTPListener(
            settings: http, receiver: receiver,
            notReady: { dispatcher.notReadyReason ?? JournalWritability.problem(directory: journal) },
            metrics: {
                let base = await dispatcher.metrics().prometheusText()
                let paused = await sms?.pausedProviders() ?? [:]
                return base + registry.render(receiver: receiver, desk: feedback?.desk.counts ?? [:], inbound: feedback?.inbound.counts ?? [:],
                                              paused: paused)
            },
            logger: logger
        )
    }

    /// The shutdown deadline passed with sends still open: the group cancels its services. Sends under way are
    /// abandoned (the journal shows them `sending` without an answer: the next start treats them as ambiguous);
    /// the journal batch being written is finished, then the process exits with 75, never 0.
    static func forcedExit(journal: Journal, logger: Logger) {
        Thread.detachNewThread {
            logger.warning("shutdown deadline reached; exiting with sends still open (recovered at the next start)")
            journal.closeBlocking()
            Foundation.exit(75)
        }
    }
}

import Foundation
import KoerierCore
import KoerierTransports
import Logging

/// Loading and wiring shared by the subcommands: configuration, templates, transports, logging.
enum Bootstrap {
    /// Sets up swift-log once, to standard error, at `level`.
    static func logging(level: String) {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }

    /// Prints a problem (one `koerier:` line for each line of `message`) to standard error.
    static func fail(_ message: String) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { "koerier: \($0)\n" }
        FileHandle.standardError.write(Data(lines.joined().utf8))
    }

    /// Loads the configuration or explains why not.
    static func configuration(_ file: String) -> Result<Configuration, ConfigError> {
        Result { () throws(ConfigError) -> Configuration in try Configuration.load(file: file) }
    }

    /// Loads the configuration for a subcommand; on a problem prints it and exits 78.
    static func loadConfiguration(_ file: String) throws -> Configuration {
        switch configuration(file) {
        case .success(let configuration): return configuration
        case .failure(let error):
            fail(error.description)
            throw Sysexits.configError
        }
    }

    /// Builds the runtime for a subcommand; on a problem prints it and exits 78.
    static func loadRuntime(_ configuration: Configuration, logger: Logger, transports: Bool, lint: Bool = false) throws -> Runtime {
        do {
            return try runtime(configuration, logger: logger, transports: transports, lint: lint)
        } catch {
            fail("\(error)")
            throw Sysexits.configError
        }
    }

    /// Builds templates and, with `transports`, the email and SMS transports: everything `run` builds before
    /// it starts. Every part is tried, so the error lists each one that failed (one line per problem).
    ///
    /// On failure the process is about to exit 78, so transports already built are not shut down here.
    /// With `lint`, a template whose words the linter refuses (a restricted phrase such as BKR in the wrong stage,
    /// `je` for `u`, an unknown variable, the WIK wording) stops the load too, so `run` and a reload never send words
    /// `check` refuses.
    static func runtime(_ configuration: Configuration, logger: Logger, transports: Bool, lint: Bool = false) throws(ConfigError) -> Runtime {
        let file = configuration.file
        var problems: [ConfigError.Problem] = []
        var renderer: Renderer?
        do {
            renderer = Renderer(store: try TemplateStore(root: configuration.templates), configuration: configuration)
        } catch {
            problems.append(.init(file: file, key: "templates", reason: error.description))
        }
        for (name, reason) in (renderer?.store.notCompiled ?? [:]).sorted(by: { $0.key < $1.key }) {
            logger.notice("template \(name) renders with swift-mustache, not compiled: \(reason)")
        }
        if lint, let store = renderer?.store {
            // The templates' own words; what needs rendering (the law per debtor type, SMS lengths) and the settings
            // the letters rely on (company phone, ...) are check's to report.
            for finding in TemplateLinter(store: store, configuration: configuration).lintWords() where finding.severity == .error {
                problems.append(.init(file: file, key: "templates", reason: "\(finding.description) (koerier check lists every finding)"))
            }
        }
        var email: (any EmailTransport)?
        var sms: (any SMSTransport)?
        if transports {
            switch configuration.email.transport {
            case .outbox:
                do {
                    email = try OutboxTransport(directory: configuration.email.outbox)
                } catch {
                    problems.append(.init(file: file, key: "email.outbox", reason: "\(configuration.email.outbox) cannot be created: \(error)"))
                }
            case .smtp:
                if let smtp = configuration.email.smtp {
                    do {
                        email = try SMTPTransport(settings: smtp, logger: logger, sendAhead: configuration.delivery.sendAhead)
                    } catch {
                        problems.append(.init(file: file, key: "email.smtp", reason: "\(error)"))
                    }
                } else {
                    problems.append(.init(file: file, key: "email.smtp", reason: "transport is smtp but email.smtp is missing"))
                }
            }
            if !configuration.sms.providers.isEmpty {
                do {
                    var tuning = HTTPSMSTransport.Tuning()
                    tuning.sendAhead = configuration.delivery.sendAhead
                    sms = try HTTPSMSTransport(providers: configuration.sms.providers, logger: logger, tuning: tuning)
                } catch {
                    // The message starts with the key path, e.g. `sms.providers[1] (backup): ...`.
                    problems.append(.init(file: file, key: "", reason: error.description))
                }
            }
        }
        guard problems.isEmpty, let renderer else { throw ConfigError(problems: problems) }
        return Runtime(configuration: configuration, renderer: renderer, email: email, sms: sms)
    }
}

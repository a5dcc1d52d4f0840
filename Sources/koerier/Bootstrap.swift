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

    /// Prints a configuration problem and names the exit code.
    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("koerier: \(message)\n".utf8))
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
    static func loadRuntime(_ configuration: Configuration, logger: Logger, transports: Bool) throws -> Runtime {
        do {
            return try runtime(configuration, logger: logger, transports: transports)
        } catch {
            fail("\(error)")
            throw Sysexits.configError
        }
    }

    /// Builds configuration, templates and transports.
    static func runtime(_ configuration: Configuration, logger: Logger, transports: Bool) throws -> Runtime {
        let store: TemplateStore
        do {
            store = try TemplateStore(root: configuration.templates)
        } catch {
            throw ConfigError(file: configuration.file, key: "templates", reason: error.description)
        }
        let renderer = Renderer(store: store, configuration: configuration)
        guard transports else { return Runtime(configuration: configuration, renderer: renderer, email: nil, sms: nil) }
        let email: any EmailTransport
        switch configuration.email.transport {
        case .outbox:
            email = try OutboxTransport(directory: configuration.email.outbox)
        case .smtp:
            guard let smtp = configuration.email.smtp else {
                throw ConfigError(file: configuration.file, key: "email.smtp", reason: "transport is smtp but email.smtp is missing")
            }
            email = try SMTPTransport(settings: smtp, logger: logger)
        }
        let sms: (any SMSTransport)? = configuration.sms.providers.isEmpty ? nil
            : try HTTPSMSTransport(providers: configuration.sms.providers, logger: logger)
        return Runtime(configuration: configuration, renderer: renderer, email: email, sms: sms)
    }
}

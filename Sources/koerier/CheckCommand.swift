import ArgumentParser
import Foundation
import KoerierCore
import Logging

/// `koerier check`: validates the configuration and every template, with file and line for each problem.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration, every template and the transports run would build; exit 78 listing every problem."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Flag(name: .long, help: "Treat warnings (missing combinations that fall back) as errors.")
    var strict = false

    func run() async throws {
        Bootstrap.logging(level: "warning")
        let configuration = try Bootstrap.loadConfiguration(config)
        // Build what `run` builds (templates and transports), so a configuration that passes here never
        // exits 78 on `run`; every part that fails is listed.
        let runtime = try Bootstrap.loadRuntime(configuration, logger: Logger(label: "koerier.check"), transports: true)
        await runtime.email?.shutdown()
        await runtime.sms?.shutdown()
        let store = runtime.renderer.store
        let linter = TemplateLinter(store: store, configuration: configuration)
        for line in TemplateLinter.matrixLines(linter.matrix(now: Date())) { print(line) }
        let findings = linter.lint()
        for finding in findings { print(finding.description) }
        let errors = findings.filter { $0.severity == .error || strict }.count
        let warnings = findings.count - findings.filter { $0.severity == .error }.count
        print("\(config): \(store.sources.count) templates, \(errors) errors, \(warnings) warnings")
        if errors > 0 { throw Sysexits.configError }
    }
}

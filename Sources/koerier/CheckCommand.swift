import ArgumentParser
import Foundation
import KoerierCore
import Logging

/// `koerier check`: validates the configuration and every template, with file and line for each problem.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and every template; exit 78 with precise messages if anything is wrong."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Flag(name: .long, help: "Treat warnings (missing combinations that fall back) as errors.")
    var strict = false

    func run() async throws {
        Bootstrap.logging(level: "warning")
        let configuration = try Bootstrap.loadConfiguration(config)
        let store: TemplateStore
        do {
            store = try TemplateStore(root: configuration.templates)
        } catch {
            Bootstrap.fail(error.description)
            throw Sysexits.configError
        }
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

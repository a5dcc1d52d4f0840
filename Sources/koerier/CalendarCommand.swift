import ArgumentParser
import Foundation
import KoerierCore

/// `koerier calendar`: the days on which Koerier contacts nobody in a year, then the contact hours.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Print every closed day of a year besides Sundays (YYYY-MM-DD  name), then the contact hours."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "The year (default: this year in the configured time zone).")
    var year: Int?

    func run() async throws {
        Bootstrap.logging(level: "warning")
        let configuration = try Bootstrap.loadConfiguration(config)
        let thisYear = Calendar(identifier: .gregorian).dateComponents(in: configuration.timeZone, from: Date()).year ?? 2026
        let chosen = year ?? thisYear
        guard (1900...2200).contains(chosen) else {
            Bootstrap.fail("--year \(chosen) must be between 1900 and 2200")
            throw Sysexits.usage
        }
        for line in CalendarListing.lines(year: chosen, configuration: configuration) { print(line) }
    }
}

import ArgumentParser

/// The `koerier` command: outbound email and SMS for Dutch accounts-receivable follow-up.
@main
struct Koerier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "koerier",
        abstract: "Sends dunning reminders from a spool by email (SMTP) and SMS, and journals every outcome.",
        version: "1.0.0",
        subcommands: [RunCommand.self, RenderCommand.self, CheckCommand.self, JournalCommand.self, ProofCommand.self, CalendarCommand.self, BounceCommand.self]
    )
}

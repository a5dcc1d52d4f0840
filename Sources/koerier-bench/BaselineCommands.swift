import ArgumentParser

/// `koerier-bench baseline-smtp`: the raw libcurl SMTP baseline as a process of its own (started by `run`).
struct BaselineSMTP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline-smtp", abstract: "Send N messages with raw libcurl to an SMTP sink (used by run).", shouldDisplay: false
    )
    @Option var port: UInt16
    @Option var count: Int
    @Option var connections: Int

    func run() async throws {
        try await Baseline.smtp(port: port, count: count, connections: connections, message: Baseline.sampleMessage())
    }
}

/// `koerier-bench baseline-http`: the raw libcurl HTTP (SMS) baseline as a process of its own (started by `run`).
struct BaselineHTTP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline-http", abstract: "Post N SMS requests with raw libcurl to the HTTP sink (used by run).", shouldDisplay: false
    )
    @Option var port: UInt16
    @Option var count: Int
    @Option var connections: Int

    func run() async throws {
        try await Baseline.http(port: port, count: count, connections: connections)
    }
}

import ArgumentParser
import Foundation
import KoerierCore

/// `koerier journal`: reads the delivery journal for people.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Show journal events, filtered by action, debtor, event and time, as a table or JSON lines."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Only this action id.")
    var action: String?

    @Option(name: .long, help: "Only this debtor id.")
    var debtor: String?

    @Option(name: .long, help: "Only these events (comma-separated, e.g. sent,failed).")
    var event: String?

    @Option(name: .long, help: "From this time (RFC 3339) or date (YYYY-MM-DD).")
    var since: String?

    @Option(name: .long, help: "Up to this time (RFC 3339) or date (YYYY-MM-DD, inclusive).")
    var until: String?

    @Option(name: .long, help: "table or json.")
    var format = "table"

    @Flag(name: .long, help: "One line per action with its latest state (sent, delivered, undelivered with code, complained, failed, ...); --event then filters by state.")
    var status = false

    func run() async throws {
        let configuration = try Bootstrap.loadConfiguration(config)
        guard format == "table" || format == "json" else {
            Bootstrap.fail("--format must be table or json")
            throw Sysexits.usage
        }
        var kinds: Set<JournalEvent.Kind>?
        if let event {
            var set = Set<JournalEvent.Kind>()
            for name in event.split(separator: ",") {
                guard let kind = JournalEvent.Kind(rawValue: String(name)) else {
                    Bootstrap.fail("--event: \"\(name)\" is not an event (\(JournalEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    throw Sysexits.usage
                }
                set.insert(kind)
            }
            kinds = set
        }
        let from = try since.map { try Self.instant($0, endOfDay: false, option: "--since") }
        let to = try until.map { try Self.instant($0, endOfDay: true, option: "--until") }
        if status {
            printStatus(configuration: configuration, kinds: kinds, from: from, to: to)
            return
        }
        if format == "table" {
            print(Self.row(["TIME (UTC)", "SEQ", "ACTION", "EVENT", "CH", "STAGE", "DEBTOR", "DETAIL"]))
        }
        JournalReader.forEach(in: configuration.journal, since: from.map(RFC3339.utcDay)) { e in
            if let action, e.action != action { return }
            if let debtor, e.debtor != debtor { return }
            if let kinds, !kinds.contains(e.event) { return }
            if let from, e.ts < from { return }
            if let to, e.ts > to { return }
            if format == "json" {
                print(e.jsonLine())
            } else {
                var detail = [e.reason, e.code.map(String.init) ?? e.codeText, e.detail].compactMap { $0 }.joined(separator: " ")
                if let next = e.nextAttempt { detail += " until \(RFC3339.format(next))" }
                if e.possibleRepeat == true { detail = "POSSIBLE REPEAT " + detail }
                print(Self.row([String(RFC3339.format(e.ts).prefix(19)), String(e.seq), e.action, e.event.rawValue,
                                e.channel ?? "", e.stage ?? "", e.debtor ?? "", String(detail.prefix(80))]))
            }
        }
    }

    /// `--status`: the latest state of each action whose events fall in the time filter.
    func printStatus(configuration: Configuration, kinds: Set<JournalEvent.Kind>?, from: Date?, to: Date?) {
        var board = ActionStatusBoard()
        JournalReader.forEach(in: configuration.journal, since: from.map(RFC3339.utcDay)) { e in
            if let action, e.action != action { return }
            if let from, e.ts < from { return }
            if let to, e.ts > to { return }
            board.apply(e)
        }
        if format == "table" {
            print(Self.statusRow(["TIME (UTC)", "ACTION", "STATE", "CODE", "CH", "STAGE", "DEBTOR", "DETAIL"]))
        }
        for row in board.all {
            if let debtor, row.debtor != debtor { continue }
            if let kinds, !kinds.contains(row.state) { continue }
            if format == "json" {
                var out = "{\"action\":\(JSONText.quoted(row.action)),\"state\":\"\(row.state.rawValue)\",\"ts\":\"\(RFC3339.format(row.ts))\""
                for (key, value) in [("code", row.code), ("channel", row.channel), ("stage", row.stage), ("debtor", row.debtor), ("detail", row.detail)] {
                    if let value { out += ",\"\(key)\":\(JSONText.quoted(value))" }
                }
                print(out + "}")
            } else {
                print(Self.statusRow([String(RFC3339.format(row.ts).prefix(19)), row.action, row.state.rawValue, row.code ?? "",
                                      row.channel ?? "", row.stage ?? "", row.debtor ?? "", String((row.detail ?? "").prefix(80))]))
            }
        }
    }

    static func statusRow(_ columns: [String]) -> String {
        let widths = [19, 24, 11, 7, 5, 18, 12, 0]
        return zip(columns, widths).map { column, width in
            width == 0 ? column : column.padding(toLength: max(width, column.count), withPad: " ", startingAt: 0)
        }.joined(separator: " ")
    }

    static func instant(_ text: String, endOfDay: Bool, option: String) throws -> Date {
        if let date = RFC3339.parse(text) { return date }
        if let day = CalendarDate(iso: text) {
            return Date(timeIntervalSince1970: TimeInterval((day.dayNumber + (endOfDay ? 1 : 0)) * 86_400) - (endOfDay ? 0.001 : 0))
        }
        Bootstrap.fail("\(option) \"\(text)\" is not a date (2026-11-22) or RFC 3339 time")
        throw Sysexits.usage
    }

    static func row(_ columns: [String]) -> String {
        let widths = [19, 6, 24, 10, 5, 18, 12, 0]
        return zip(columns, widths).map { column, width in
            width == 0 ? column : column.padding(toLength: max(width, column.count), withPad: " ", startingAt: 0)
        }.joined(separator: " ")
    }
}

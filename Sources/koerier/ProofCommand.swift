import ArgumentParser
import Foundation
import KoerierCore

/// `koerier proof`: the evidence of one action, written to a folder.
struct ProofCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Write the evidence of one action: the message as sent, its journal lines, the answers, the delivery status and a SHA-256 manifest.",
        discussion: "Needs the archive (archive: in the configuration) to have been on when the action was sent. Check the folder with: sha256sum -c MANIFEST.sha256"
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Argument(help: "The action id.")
    var action: String

    @Option(name: .long, help: "The folder to write (default: proof-<action id>); it must not exist yet or be empty.")
    var out: String?

    func run() async throws {
        let configuration = try Bootstrap.loadConfiguration(config)
        guard let archive = configuration.archive else {
            Bootstrap.fail("\(config): archive is not set, so no message bytes were kept; set archive: to a folder")
            throw Sysexits.configError
        }
        let lines = JournalSearch.lines(of: action, in: configuration.journal, days: JournalNotices.searchDays) { $0.event == .received }
        guard let sent = lines.last(where: { $0.event.event == .sent })?.event else {
            Bootstrap.fail(lines.isEmpty ? "action \(action) is not in the journal" : "action \(action) was never sent")
            throw Sysexits.dataError
        }
        let day = RFC3339.utcDay(sent.ts)
        let message = sent.archiveSHA256.flatMap {
            ArchiveReader.find(action: action, sha256: $0, in: archive.directory, days: [day, day.adding(days: 1)])
        }
        guard let message else {
            Bootstrap.fail("the archive holds no message for \(action) with the SHA-256 its sent event names (deleted after its retention, or the archive was off)")
            throw Sysexits.dataError
        }
        let bundle: ProofBundle
        do {
            bundle = try ProofBundle.make(action: action, lines: lines, message: message)
        } catch {
            Bootstrap.fail(error.description)
            throw Sysexits.dataError
        }
        let folder = out ?? "proof-\(action)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if !(try FileManager.default.contentsOfDirectory(atPath: folder)).isEmpty {
                Bootstrap.fail("\(folder) is not empty; choose another --out")
                throw Sysexits.usage
            }
            for file in bundle.files { try DurableFile.write(file.bytes, to: folder + "/" + file.name) }
        } catch let error as ExitCode {
            throw error
        } catch {
            Bootstrap.fail("cannot write \(folder): \(error)")
            throw Sysexits.ioError
        }
        print("\(folder): \(bundle.files.map(\.name).joined(separator: ", "))")
    }
}

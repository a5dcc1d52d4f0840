import Foundation
import Synchronization
import Testing
@testable import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

// End-to-end harness: runs the REAL `koerier` executable against real SMTP servers on 127.0.0.1
// (Tests/Support/smtp_server.py on apt's /usr/bin/python3 with aiosmtpd, and Postfix's smtp-sink).
//
// The binary is found in the build's bin folder: the folder that holds this test bundle also holds
// `koerier` (e.g. .build/debug/). `swift build --build-tests` builds it; `KOERIER_BIN` overrides the search.
// Every test works in its own temporary folder, starts and always stops its own servers, and is bounded in time.

/// The top-level suite: serialized, so tests never fight over the two shared CPU cores (the crash test is load sensitive).
@Suite("End to end (real koerier binary, real SMTP servers)", .serialized)
struct EndToEnd {}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum E2E {
    /// The repository root, derived from this file's path (Tests/KoerierEndToEndTests/Harness.swift).
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var templates: String { repoRoot + "/Templates" }
    static var supportScript: String { repoRoot + "/Tests/Support/smtp_server.py" }
    static let python = "/usr/bin/python3"
    static let smtpSink = "/usr/sbin/smtp-sink"

    /// The `koerier` executable beside the test bundle (walking up from the bundle / argv[0]), or `KOERIER_BIN`.
    static func koerierBinary() throws -> String {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["KOERIER_BIN"], fm.isExecutableFile(atPath: explicit) {
            return explicit
        }
        var starts: [String] = [Bundle.main.bundlePath, Bundle.main.executablePath ?? ""]
        if let first = CommandLine.arguments.first { starts.append(first) }
        starts.append(contentsOf: ProcessInfo.processInfo.arguments)
        var tried: [String] = []
        for start in starts where !start.isEmpty {
            var dir = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent("koerier").path
                tried.append(candidate)
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw HarnessError("""
            the koerier executable was not found beside the test bundle; build it first \
            (swift build --build-tests, or swift build --product koerier with the same --scratch-path), \
            or set KOERIER_BIN. Looked at: \(tried.prefix(8).joined(separator: ", "))
            """)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    static func sleep(_ seconds: Double) async {
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
    }

    /// Waits (bounded) until `condition` holds; false on timeout.
    static func waitUntil(timeout: Double, poll: Double = 0.05, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            await sleep(poll)
        }
        return condition()
    }
}

// MARK: - Child processes

/// A child process with its output in files; stopped for sure by `stop()` / deinit.
final class Child: @unchecked Sendable {
    let process = Process()
    let name: String
    let logPath: String

    init(name: String, executable: String, arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = FileHandle(forWritingAtPath: logPath)
        // The Swift test runner hands its children SIGTERM and SIGINT blocked; a service manager does not.
        // A one-line exec wrapper unblocks them, so every child (koerier too) sees the signals as in production.
        process.executableURL = URL(fileURLWithPath: E2E.python)
        process.arguments = ["-c", Self.unblockAndExec, executable] + arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = environment }
        try process.run()
    }

    private static let unblockAndExec =
        "import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}); os.execv(sys.argv[1], sys.argv[1:])"

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits (bounded) for the exit; nil on timeout.
    func waitForExit(timeout: Double) async -> (reason: Process.TerminationReason, status: Int32)? {
        let exited = await E2E.waitUntil(timeout: timeout, poll: 0.02) { !process.isRunning }
        guard exited else { return nil }
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus)
    }

    /// SIGTERM, a short grace period, then SIGKILL; returns only when the process is gone.
    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        // A watchdog makes sure waitUntilExit returns: SIGKILL after 3 s if SIGTERM was not enough.
        let done = Mutex(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) {
            if !done.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        done.withLock { $0 = true }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop() }
}

// MARK: - Messages as the relay saw them

/// One message received by a test relay.
struct ReceivedMessage {
    var mailFrom: String
    var recipients: [String]
    var raw: [UInt8]
    /// accepted | tempfail | dropped | stalled | rcpt-rejected (python relay); accepted for smtp-sink.
    var outcome: String
    var reply: String

    var text: String { String(decoding: raw, as: UTF8.self) }

    /// The header block, unfolded, as (name, value) pairs in order.
    var headers: [(String, String)] {
        let text = self.text
        let headerBlock: Substring
        if let range = text.range(of: "\r\n\r\n") {
            headerBlock = text[..<range.lowerBound]
        } else if let range = text.range(of: "\n\n") {
            headerBlock = text[..<range.lowerBound]
        } else {
            headerBlock = Substring(text)
        }
        var result: [(String, String)] = []
        for line in headerBlock.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !result.isEmpty {
                result[result.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                result.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return result
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// True when every LF is preceded by CR (no bare LF, and no bare CR either).
    var hasCRLFLineEndings: Bool {
        for (index, byte) in raw.enumerated() {
            if byte == 0x0A && (index == 0 || raw[index - 1] != 0x0D) { return false }
            if byte == 0x0D && (index + 1 >= raw.count || raw[index + 1] != 0x0A) { return false }
        }
        return true
    }

    /// The message is complete: its outermost MIME boundary is closed.
    var isComplete: Bool {
        guard let type = header("Content-Type"), let range = type.range(of: "boundary=\"") else { return false }
        let rest = type[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return false }
        return text.contains("--\(rest[..<end])--")
    }

    /// All quoted-printable parts decoded and joined (enough to look for the Dutch text).
    var decodedBodies: String {
        var out = ""
        let parts = text.components(separatedBy: "Content-Transfer-Encoding: quoted-printable\r\n\r\n").dropFirst()
        for part in parts {
            let body = part.components(separatedBy: "\r\n--").first ?? part
            out += QuotedPrintable.decode(body) + "\n"
        }
        return out
    }
}

enum QuotedPrintable {
    static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "=") {
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { i += 3; continue }
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 2; continue }
                if i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - The python relay

/// Tests/Support/smtp_server.py: saves every transaction; steered by its command-line options.
final class PythonRelay: @unchecked Sendable {
    let child: Child
    let port: Int
    let directory: String

    init(in work: String, options: [String] = []) async throws {
        guard FileManager.default.isExecutableFile(atPath: E2E.python) else {
            throw HarnessError("\(E2E.python) is missing (apt install python3 python3-aiosmtpd)")
        }
        directory = work + "/relay-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/messages", withIntermediateDirectories: true)
        let portFile = directory + "/port"
        let child = try Child(name: "smtp_server.py", executable: E2E.python,
                          arguments: [E2E.supportScript, "--dir", directory + "/messages", "--port-file", portFile] + options,
                          logPath: directory + "/server.log")
        let ready = await E2E.waitUntil(timeout: 15) { FileManager.default.fileExists(atPath: portFile) || !child.isRunning }
        guard ready, let text = try? String(contentsOfFile: portFile, encoding: .utf8),
              let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop()
            throw HarnessError("smtp_server.py did not start: \(child.log)")
        }
        self.child = child
        self.port = port
    }

    func stop() { child.stop() }

    /// Every transaction saved so far, in arrival order.
    func messages() -> [ReceivedMessage] {
        let folder = directory + "/messages"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            let raw = Data(base64Encoded: object["data_b64"] as? String ?? "") ?? Data()
            return ReceivedMessage(mailFrom: object["mail_from"] as? String ?? "", recipients: object["rcpt_tos"] as? [String] ?? [],
                                   raw: [UInt8](raw), outcome: object["outcome"] as? String ?? "", reply: object["reply"] as? String ?? "")
        }
    }

    func accepted() -> [ReceivedMessage] { messages().filter { $0.outcome == "accepted" } }
}

// MARK: - smtp-sink

/// Postfix's smtp-sink, dumping one file per transaction (LF line endings in its dump format).
final class SMTPSink: @unchecked Sendable {
    let child: Child
    let port: Int
    let directory: String

    init(in work: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: E2E.smtpSink) else {
            throw HarnessError("\(E2E.smtpSink) is missing (apt install postfix, which ships smtp-sink)")
        }
        directory = work + "/sink-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/dump", withIntermediateDirectories: true)
        // smtp-sink refuses to run as root without -u; the dump folder must be writable by that user.
        chmod(directory + "/dump", 0o777)
        var lastError = ""
        for _ in 0..<5 {
            let port = try E2E.freePort()
            var arguments = ["-d", directory + "/dump/%H%M%S.", "-m", "512"]
            if getuid() == 0 { arguments += ["-u", "nobody"] }
            arguments += ["127.0.0.1:\(port)", "1024"]
            let child = try Child(name: "smtp-sink", executable: E2E.smtpSink, arguments: arguments, logPath: directory + "/sink-\(port).log")
            if await E2E.waitUntil(timeout: 5, { E2E.isListening(port) || !child.isRunning }), child.isRunning {
                self.child = child
                self.port = port
                return
            }
            lastError = child.log
            child.stop()
        }
        throw HarnessError("smtp-sink did not start: \(lastError)")
    }

    func stop() { child.stop() }

    /// Every dumped transaction: the sink's own X- headers are turned into the envelope and stripped.
    func messages() -> [ReceivedMessage] {
        let folder = directory + "/dump"
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var result: [ReceivedMessage] = []
        for case let name as String in enumerator {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
            var lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            var from = ""
            var rcpts: [String] = []
            // The sink's headers end with its three-line Received header.
            while let line = lines.first {
                lines.removeFirst()
                if line.hasPrefix("X-Mail-Args: ") { from = String(line.dropFirst(13)).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")) }
                if line.hasPrefix("X-Rcpt-Args: ") { rcpts.append(String(line.dropFirst(13)).trimmingCharacters(in: CharacterSet(charactersIn: "<> "))) }
                if line.hasPrefix("Received: ") {
                    while let next = lines.first, next.hasPrefix("\t") || next.hasPrefix(" ") { lines.removeFirst() }
                    break
                }
            }
            // Back to CRLF (the sink writes LF), so header parsing works the same for both servers.
            let body = lines.joined(separator: "\r\n")
            result.append(ReceivedMessage(mailFrom: from, recipients: rcpts, raw: Array(body.utf8), outcome: "accepted", reply: ""))
        }
        return result
    }
}

// MARK: - A koerier installation in a temporary folder

final class Workspace: @unchecked Sendable {
    let root: String
    var spool: String { root + "/spool" }
    var journal: String { root + "/journal" }
    var attachments: String { root + "/attachments" }
    var configPath: String { root + "/koerier.yaml" }
    private var runCounter = 0

    init(_ label: String) throws {
        root = NSTemporaryDirectory() + "koerier-e2e-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        let fm = FileManager.default
        for folder in ["tmp", "new", "cancel"] {
            try fm.createDirectory(atPath: spool + "/" + folder, withIntermediateDirectories: true)
        }
        try fm.createDirectory(atPath: journal, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: attachments, withIntermediateDirectories: true)
    }

    /// Removes the folder at the end of a test; set KOERIER_E2E_KEEP=1 to keep every test's folder for inspection.
    func remove() {
        if ProcessInfo.processInfo.environment["KOERIER_E2E_KEEP"] != nil {
            print("kept \(root)")
            return
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes the configuration for an SMTP relay on 127.0.0.1:port.
    func writeConfig(port: Int, connections: Int = 2, timeout: Int = 5, concurrency: Int = 8, maximumAttempts: Int = 3,
                     shutdownDeadline: String = "20s") throws {
        let yaml = """
            # written by the end-to-end tests
            spool: \(spool)
            journal: \(journal)
            templates: \(E2E.templates)
            attachments: \(attachments)
            timezone: Europe/Amsterdam
            quiet_hours:
              enabled: false
            email:
              from: "Debiteurenbeheer Voorbeeld B.V. <debiteuren@voorbeeld.nl>"
              transport: smtp
              message_id_domain: voorbeeld.nl
              reply_to_sender: true
              smtp:
                url: smtp://127.0.0.1:\(port)
                tls: none
                connections: \(connections)
                timeout: \(timeout)
                connect_timeout: 2
            sender:
              name: Afdeling Debiteurenbeheer
              email: debiteuren@voorbeeld.nl
              phone: 030-123 45 67
            delivery:
              concurrency: \(concurrency)
              rescan_interval: 1s
              shutdown_deadline: \(shutdownDeadline)
              retry:
                minimum_delay: 1s
                maximum_delay: 2s
                maximum_attempts: \(maximumAttempts)
                jitter: 0
            stages:
              herinnering: { pay_term_days: 7 }
              aanmaning: { pay_term_days: 7 }

            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    // MARK: Dropping actions like the engine does

    /// Writes `bytes` into tmp/, fsyncs, then renames into new/ (or into `folder`).
    func drop(_ bytes: [UInt8], as name: String, into folder: String = "new") throws {
        let temporary = spool + "/tmp/" + name + ".part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw HarnessError("cannot create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            guard n > 0 else { close(fd); throw HarnessError("cannot write \(temporary)") }
            offset += n
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, spool + "/" + folder + "/" + name) == 0 else { throw HarnessError("cannot rename \(temporary)") }
    }

    func drop(_ text: String, as name: String) throws { try drop(Array(text.utf8), as: name) }

    func drop(_ action: [String: Any], as name: String? = nil) throws {
        let id = action["id"] as? String ?? UUID().uuidString
        let data = try JSONSerialization.data(withJSONObject: action, options: [.sortedKeys, .withoutEscapingSlashes])
        try drop([UInt8](data), as: name ?? "\(id).json")
    }

    /// Creates the engine's cancel marker cancel/<id>.
    func cancel(_ id: String) throws {
        guard FileManager.default.createFile(atPath: spool + "/cancel/" + id, contents: Data()) else {
            throw HarnessError("cannot create cancel marker for \(id)")
        }
    }

    // MARK: Looking at the result

    /// File names in a spool folder (reason files and hidden files left out unless asked).
    func files(_ folder: String, includeAll: Bool = false) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/" + folder)) ?? []
        return names.filter { includeAll || (!$0.hasPrefix(".") && !$0.hasSuffix(".reason.txt") && !$0.hasSuffix(".reason.json")) }.sorted()
    }

    func reason(_ folder: String, _ file: String) -> String? {
        try? String(contentsOfFile: "\(spool)/\(folder)/\(file).reason.txt", encoding: .utf8)
    }

    static let terminalFolders = ["sent", "failed", "rejected", "cancelled"]
    static let workingFolders = ["new", "active", "deferred"]

    /// Where each action file is now: file name -> folders that hold it (more than one is a bug).
    func locations() -> [String: [String]] {
        var result: [String: [String]] = [:]
        for folder in Self.terminalFolders + Self.workingFolders {
            for name in files(folder) { result[name, default: []].append(folder) }
        }
        return result
    }

    func events() -> [JournalEvent] { JournalReader.all(in: journal) }

    func events(for id: String) -> [JournalEvent] { events().filter { $0.action == id } }

    // MARK: Running koerier

    /// `koerier run --config X --once`, bounded; returns the exit status and the output.
    @discardableResult
    func runOnce(timeout: Double = 45) async throws -> (status: Int32, output: String) {
        runCounter += 1
        let child = try Child(name: "koerier --once", executable: try E2E.koerierBinary(),
                              arguments: ["run", "--config", configPath, "--once", "--log-level", "info"],
                              logPath: root + "/run-once-\(runCounter).log")
        guard let result = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: 5)
            throw HarnessError("koerier run --once did not finish within \(timeout) s; log: \(child.log.suffix(3000))")
        }
        let status = result.reason == .exit ? result.status : 128 + result.status
        return (status, child.log)
    }

    /// Starts the daemon (`koerier run --config X`), output in its own log file.
    func startDaemon() throws -> Child {
        runCounter += 1
        return try Child(name: "koerier daemon", executable: try E2E.koerierBinary(),
                         arguments: ["run", "--config", configPath, "--log-level", "info"],
                         logPath: root + "/daemon-\(runCounter).log")
    }
}

// MARK: - Actions

enum Actions {
    /// A valid email action; `overrides` replace or add top-level fields.
    static func email(id: String, to address: String, stage: String = "herinnering", segment: String = "consument",
                      tone: String? = nil, debtorType: String = "consumer", amount: String = "1234.56",
                      debtorID: String? = nil, overrides: [String: Any] = [:]) -> [String: Any] {
        var action: [String: Any] = [
            "version": 1,
            "id": id,
            "channel": "email",
            "stage": stage,
            "segment": segment,
            "recipient": ["name": "Joëlle de Vries", "email": address],
            "debtor": ["id": debtorID ?? "D-\(id)", "name": debtorType == "consumer" ? "Joëlle de Vries" : "Bakkerij Het Zuiden B.V.",
                       "type": debtorType, "customer_number": "K-10042"],
            "invoices": [["number": "F2026-0815", "date": "2026-10-01", "due_date": "2026-10-31", "amount": amount, "open": amount]],
            "payment": ["url": "https://betalen.voorbeeld.nl/p/F2026-0815", "reference": "F2026-0815"],
            "tags": ["suite": "e2e"],
        ]
        if let tone { action["tone"] = tone }
        for (key, value) in overrides { action[key] = value }
        return action
    }
}

// MARK: - Journal checks shared by the tests

enum JournalChecks {
    /// action id -> its terminal events.
    static func terminals(_ events: [JournalEvent]) -> [String: [JournalEvent]] {
        Dictionary(grouping: events.filter { $0.event.isTerminal }, by: \.action)
    }

    /// Ids that were marked `possible_repeat: true` on some `sending`, with how many such sendings.
    static func markedRepeats(_ events: [JournalEvent]) -> [String: Int] {
        var result: [String: Int] = [:]
        for e in events where e.event == .sending && e.possibleRepeat == true { result[e.action, default: 0] += 1 }
        return result
    }

    /// `seq` strictly increases over the whole journal.
    static func seqStrictlyIncreasing(_ events: [JournalEvent]) -> Bool {
        zip(events, events.dropFirst()).allSatisfy { $0.seq < $1.seq }
    }
}

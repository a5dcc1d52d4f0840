import Foundation
import Testing
@testable import KoerierCore

/// Writes `yaml` as `koerier.yaml` into a fresh folder and loads it.
private func loadConfig(_ yaml: String, environment: [String: String] = [:]) throws -> Result<Configuration, ConfigError> {
    let folder = try TestSupport.makeTemporaryFolder("koerier-limits")
    defer { TestSupport.remove(folder) }
    try TestSupport.write(yaml, to: "koerier.yaml", under: folder)
    return Result { () throws(ConfigError) -> Configuration in try Configuration.load(file: folder + "/koerier.yaml", environment: environment) }
}

/// A duration key, how to write it into a file, and the range its error must name.
struct DurationKey: Sendable, CustomTestStringConvertible {
    let path: String
    let yaml: @Sendable (String) -> String
    let range: String
    var testDescription: String { path }
}

private let durationKeys: [DurationKey] = [
    DurationKey(path: "delivery.rescan_interval", yaml: { "delivery:\n  rescan_interval: \($0)\n" }, range: "between 1s and 1h"),
    DurationKey(path: "delivery.shutdown_deadline", yaml: { "delivery:\n  shutdown_deadline: \($0)\n" }, range: "between 1s and 1h"),
    DurationKey(path: "delivery.debtor_pacing", yaml: { "delivery:\n  debtor_pacing: \($0)\n" }, range: "between 0s and 30d"),
    DurationKey(path: "delivery.retry.minimum_delay", yaml: { "delivery:\n  retry:\n    minimum_delay: \($0)\n" }, range: "between 1s and 1d"),
    DurationKey(path: "delivery.retry.maximum_delay", yaml: { "delivery:\n  retry:\n    maximum_delay: \($0)\n" }, range: "between 1s and 1d"),
    DurationKey(path: "delivery.retry.maximum_age", yaml: { "delivery:\n  retry:\n    maximum_age: \($0)\n" }, range: "between 1m and 14d"),
    DurationKey(path: "quiet_hours.spread", yaml: { "quiet_hours:\n  spread: \($0)\n" }, range: "between 0s and 6h"),
]

/// Values no duration key may take: infinite, not a number, overflowing, negative, absurdly long, not a duration.
private let hostileDurations = [
    "inf", ".inf", "-.inf", "nan", ".NaN", "1e400s", "1e400", "-5s", "-300", "999999999999d", "99999999999999999999",
    "99999999999999999999s", String(repeating: "9", count: 400) + "d", "5 m", "true", "[1, 2]",
]

@Suite("Configuration limits")
struct ConfigurationLimitsTests {
    @Test("a hostile duration is refused where it enters, naming the key path and the allowed range",
          arguments: durationKeys, hostileDurations)
    func hostileDuration(_ key: DurationKey, value: String) throws {
        guard case .failure(let error) = try loadConfig(key.yaml(value)) else {
            Issue.record("\(key.path): \(value) was accepted")
            return
        }
        let problem = error.problems.first { $0.key == key.path }
        #expect(problem != nil, "problems were: \(error.description)")
        #expect(problem?.reason.contains(key.range) == true, "reason was: \(problem?.reason ?? "-")")
        #expect(error.problems.count == 1, "problems were: \(error.description)")
    }

    @Test("each duration key takes its bounds themselves", arguments: [
        ("delivery:\n  rescan_interval: 1s\n  shutdown_deadline: 1h\n  debtor_pacing: 30d\n", true),
        ("delivery:\n  retry:\n    minimum_delay: 1s\n    maximum_delay: 1d\n    maximum_age: 14d\n", true),
        ("quiet_hours:\n  spread: 0\n", true),
        ("quiet_hours:\n  spread: 6h\n", true),
        ("delivery:\n  retry:\n    maximum_age: 59s\n", false),
        ("delivery:\n  rescan_interval: 0\n", false),
        ("delivery:\n  debtor_pacing: 31d\n", false),
        ("quiet_hours:\n  spread: 6.01h\n", false),
    ])
    func durationBounds(_ yaml: String, accepted: Bool) throws {
        let result = try loadConfig(yaml)
        if case .failure(let error) = result, accepted { Issue.record("refused: \(error)") }
        if case .success = result, !accepted { Issue.record("accepted: \(yaml)") }
    }

    @Test("a hostile number is refused with its key path and range", arguments: [
        ("delivery:\n  concurrency: 99999999999999999999\n", "delivery.concurrency", "between 1 and 4096"),
        ("delivery:\n  concurrency: -9223372036854775808\n", "delivery.concurrency", "between 1 and 4096"),
        ("delivery:\n  intake_batch: 1e400\n", "delivery.intake_batch", "between 1 and 100000"),
        ("delivery:\n  send_ahead: -1\n", "delivery.send_ahead", "between 0 and 1024"),
        ("delivery:\n  send_ahead: 4096\n", "delivery.send_ahead", "between 0 and 1024"),
        ("delivery:\n  retry:\n    jitter: .nan\n", "delivery.retry.jitter", "between 0 and 0.9"),
        ("delivery:\n  retry:\n    jitter: .inf\n", "delivery.retry.jitter", "between 0 and 0.9"),
        ("delivery:\n  retry:\n    maximum_attempts: 99999999999999999999\n", "delivery.retry.maximum_attempts", "between 1 and 1000"),
        ("sms:\n  providers:\n    - kind: cm\n      url: https://gw.example.nl\n      token_env: T\n      rate_per_second: .inf\n",
         "sms.providers[0].rate_per_second", "between 0.01 and 10000"),
        ("sms:\n  providers:\n    - kind: cm\n      url: https://gw.example.nl\n      token_env: T\n      timeout: 1e400\n",
         "sms.providers[0].timeout", "between 1 and 600"),
        ("stages:\n  herinnering:\n    pay_term_days: 99999999999999999999\n", "stages.herinnering.pay_term_days", "between 0 and 365"),
    ])
    func hostileNumber(_ yaml: String, key: String, range: String) throws {
        guard case .failure(let error) = try loadConfig(yaml, environment: ["T": "token"]) else {
            Issue.record("accepted: \(yaml)")
            return
        }
        let problem = error.problems.first { $0.key == key }
        #expect(problem?.reason.contains(range) == true, "problems were: \(error.description)")
    }

    @Test("three independent mistakes are three lines, each with file and key path")
    func everyProblemListed() throws {
        let yaml = """
            timezone: Europe/Amsterdm
            delivery:
              rescan_interval: inf
            sms:
              sender: Voor-beeld
            """
        guard case .failure(let error) = try loadConfig(yaml) else {
            Issue.record("accepted")
            return
        }
        let lines = error.description.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "got: \(error.description)")
        #expect(error.problems.map(\.key) == ["timezone", "sms.sender", "delivery.rescan_interval"])
        for line in lines { #expect(line.hasPrefix(error.file + ": ")) }
        #expect(lines.contains { $0.contains("koerier.yaml: delivery.rescan_interval: \"inf\" must be a duration") && $0.hasSuffix("between 1s and 1h") })
    }

    @Test("unknown keys at several places are all listed")
    func everyUnknownKey() throws {
        guard case .failure(let error) = try loadConfig("spol: x\njournl: y\nemail:\n  frm: z\n") else {
            Issue.record("accepted")
            return
        }
        #expect(Set(error.problems.map(\.key)) == ["spol", "journl", "email.frm"])
    }

    // MARK: YAML bounds

    @Test("10,000 nested flow lists are refused without parsing them")
    func deepFlowLists() throws {
        let yaml = "spool: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        try expectRefused(yaml, saying: "nests more than 64 levels deep")
    }

    @Test("10,000 nested block lists and mappings are refused", arguments: [
        String(repeating: "- ", count: 10_000) + "x\n",
        (0..<1_000).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined(),
        String(repeating: "{a: ", count: 10_000) + "b" + String(repeating: "}", count: 10_000) + "\n",
        "a: " + String(repeating: "[", count: 5_000) + "\"x\", '" + String(repeating: "]", count: 5_000) + "\n",
    ])
    func deepBlockLists(_ yaml: String) throws {
        try expectRefused(yaml, saying: "nests more than 64 levels deep")
    }

    @Test("a billion-laughs alias bomb is refused before it expands")
    func aliasBomb() throws {
        var yaml = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            yaml += "a\(level): &a\(level) [" + Array(repeating: previous, count: 9).joined(separator: ", ") + "]\n"
        }
        try expectRefused(yaml, saying: "uses a YAML alias (*name) at line 2")
    }

    @Test("an alias anywhere is refused, and a merge key through one too", arguments: [
        "base: &b {pay_term_days: 7}\nstages:\n  herinnering: *b\n",
        "base: &b\n  pay_term_days: 7\nstages:\n  herinnering:\n    <<: *b\n",
        "spool: &s var/spool\njournal: [*s]\n",
    ])
    func anyAlias(_ yaml: String) throws {
        try expectRefused(yaml, saying: "aliases are not allowed")
    }

    @Test("a file over 1 MiB is refused before it is read")
    func oversizedFile() throws {
        let yaml = "# " + String(repeating: "x", count: 2 << 20) + "\nspool: var/spool\n"
        try expectRefused(yaml, saying: "may be at most 1048576 bytes")
    }

    @Test("a named pipe or a device is refused without blocking on it", arguments: ["fifo", "/dev/zero"])
    func notARegularFile(_ kind: String) throws {
        let folder = try TestSupport.makeTemporaryFolder("koerier-limits")
        defer { TestSupport.remove(folder) }
        var path = kind
        if kind == "fifo" {
            path = folder + "/koerier.yaml"
            #expect(mkfifo(path, 0o600) == 0)
        }
        do {
            _ = try Configuration.load(file: path, environment: [:])
            Issue.record("loaded \(path)")
        } catch {
            #expect(error.reason == "is not a regular file")
        }
    }

    @Test("what looks like nesting or an alias inside scalars and comments is not counted", arguments: [
        "company:\n  complaints: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ *niet\"\n",
        "company:\n  complaints: '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{ it''s *niet'\n",
        "company:\n  complaints: |\n    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n    *niet - - - - \"\n  name: X B.V.\n",
        "company:\n  complaints: >-\n    {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n\n    *a\n",
        "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ *a\ncompany:\n  name: a*b [c] {d} # *e\n",
        "company:\n  complaints: Bel ons [ma-vr\n    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ tot 17 uur *a\n",
    ])
    func scalarsAreNotStructure(_ yaml: String) throws {
        if case .failure(let error) = try loadConfig(yaml) { Issue.record("refused: \(error)") }
    }

    @Test("the text scanner agrees with the parser on what nests", arguments: [
        ("a: [[1], {b: [2, {c: 3}]}]\n", 5),
        ("- - - x\n", 3),
        ("a:\n- b:\n  - c: 1\n", 5),
        ("? - a\n: - b\n", 2),
        ("a: {\"b\":[1,{\"c\":[]}]}\n", 5),
        ("[a: [b: [c: 1]]]\n", 6),
        ("    [b:    \n]\n", 2),
        ("[? \\]:\n", 3),
        ("\n[  -::    ]: \n", 3),
    ])
    func scannerDepth(_ yaml: String, depth: Int) throws {
        let bytes = Array(yaml.utf8)
        // It counts high, but by no more than twice the depth and one possible block key.
        #expect(YAMLShapeScanner.scan(bytes, maximumDepth: 2 * depth + 2) == nil)
        #expect(YAMLShapeScanner.scan(bytes, maximumDepth: depth - 1) != nil)
    }

    @Test("on 20,000 random texts the scanner never counts less nesting than Yams builds, and sees every alias Yams follows")
    func scannerAgainstParser() {
        let pieces = ["[", "]", "{", "}", ",", ":", " ", " ", "\n", "\n", "- ", "-", "? ", "'", "\"", "#", "a", "b:", "|", ">",
                      "  ", "    ", "\\", "&x ", "*x", "!t ", ": ", "|2", "\t", "---\n", "...", "\r\n", "\u{2028}", "é"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15  // a fixed seed: the same texts every run
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var compared = 0
        for _ in 0..<20_000 {
            let text = (0...next(40)).map { _ in pieces[next(pieces.count)] }.joined()
            guard let depth = ConfigDocument.treeDepth(text) else { continue }
            compared += 1
            let bytes = Array(text.utf8)
            if depth > 0 && YAMLShapeScanner.scan(bytes, maximumDepth: depth - 1) == nil {
                Issue.record("scanner counted less than depth \(depth) in \(text.debugDescription)")
            }
            // An alias Yams follows: renaming it makes the text fail ("undefined alias").
            if text.contains("*x"), YAMLShapeScanner.scan(bytes, maximumDepth: 1_000) == nil,
               ConfigDocument.treeDepth(text.replacingOccurrences(of: "*x", with: "*y")) == nil {
                Issue.record("scanner missed an alias in \(text.debugDescription)")
            }
        }
        #expect(compared > 1_000)
    }

    private func expectRefused(_ yaml: String, saying fragment: String) throws {
        guard case .failure(let error) = try loadConfig(yaml) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.count == 1)
        #expect(error.key.isEmpty)
        #expect(error.reason.contains(fragment), "reason was: \(error.reason)")
    }
}

/// Found by the config loader's fuzz target: Yams traps on a mapping key that is not a plain scalar.
@Suite("Configuration keys that are not names")
struct ConfigurationComplexKeyTests {
    @Test("a list or mapping used as a key is refused with a message, not a trap", arguments: [
        "? [a]\n: 1\n", "? {a: b}\n: 1\n", "[a]: 1\n", "delivery:\n  ? [x, y]\n  : 2\n", "{[1]: 2}\n",
    ])
    func complexKeys(yaml: String) throws {
        guard case .failure(let error) = try loadConfig(yaml) else { Issue.record("accepted: \(yaml)"); return }
        #expect(error.description.contains("as a key"), "\(error)")
    }
}

import Foundation

/// Writes the spool, configuration and actions a benchmark run drains.
struct Workload {
    let root: String
    let templates: String

    var spool: String { root + "/spool" }
    var config: String { root + "/koerier.yaml" }
    var journal: String { root + "/journal" }

    /// A fresh folder with a configuration for the given transport.
    /// With `archive`, the evidence archive is on (its cost is what the benchmark then shows).
    static func make(templates: String, smtpPort: UInt16?, smsPort: UInt16?, connections: Int, concurrency: Int, archive: Bool = false) throws -> Workload {
        let root = NSTemporaryDirectory() + "koerier-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for folder in ["tmp", "new", "cancel"] {
            try FileManager.default.createDirectory(atPath: "\(root)/spool/\(folder)", withIntermediateDirectories: true)
        }
        var yaml = """
        spool: spool
        journal: journal
        templates: \(templates)
        quiet_hours: { enabled: false }
        company: { name: Voorbeeld B.V., iban: NL91ABNA0417164300 }
        delivery: { concurrency: \(concurrency), intake_batch: 1024 }
        \(archive ? "archive: archive" : "")
        email:
          from: "Debiteurenbeheer Voorbeeld B.V. <debiteuren@voorbeeld.nl>"

        """
        if let smtpPort {
            yaml += """
              transport: smtp
              smtp: { url: "smtp://127.0.0.1:\(smtpPort)", tls: none, connections: \(connections), timeout: 30 }

            """
        }
        yaml += """
        sms:
          sender: Voorbeeld

        """
        if let smsPort {
            yaml += """
              providers:
                - { name: sink, kind: messagebird, url: "http://127.0.0.1:\(smsPort)", token_env: KOERIER_BENCH_TOKEN, concurrency: \(connections), rate_per_second: 10000 }

            """
        }
        try yaml.write(toFile: root + "/koerier.yaml", atomically: true, encoding: .utf8)
        return Workload(root: root, templates: templates)
    }

    /// Puts `count` valid actions in new/ the way the engine does (tmp/ then rename).
    func addActions(count: Int, channel: String) throws {
        for index in 0..<count {
            let id = String(format: "bench-%@-%07d", channel, index)
            let recipient = channel == "email"
                ? "\"email\": \"debiteur\(index)@example.nl\""
                : "\"phone\": \"06-\(String(format: "%08d", 10_000_000 + index % 89_999_999))\""
            let json = """
            {"version":1,"id":"\(id)","channel":"\(channel)","stage":"herinnering","segment":"\(index % 2 == 0 ? "consument" : "zakelijk")","tone":"zakelijk",
             "recipient":{"name":"Debiteur \(index)",\(recipient)},
             "debtor":{"id":"D-\(index)","name":"Debiteur \(index)","type":"\(index % 2 == 0 ? "consumer" : "business")","customer_number":"K-\(index)"},
             "invoices":[{"number":"F2026-\(index)","date":"2026-10-01","due_date":"2026-10-31","amount":"1234.56","open":"1234.56"}],
             "payment":{"url":"https://betalen.voorbeeld.nl/p/\(index)","reference":"F2026-\(index)"}}
            """
            let temporary = "\(spool)/tmp/\(id).json"
            try json.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, "\(spool)/new/\(id).json") == 0 else { throw BenchError("cannot move \(id) into new/") }
        }
    }

    /// How many files ended in `folder`.
    func count(_ folder: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/\(folder)")) ?? []).filter { $0.hasSuffix(".json") }.count
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

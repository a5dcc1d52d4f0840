import Foundation
import Testing
@testable import KoerierCore

/// A configuration that must be refused, with the key path and a fragment of the reason.
struct BrokenConfig: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let key: String
    let reason: String
    var environment: [String: String] = [:]
    var testDescription: String { label }
}

private let smtpHead = """
    email:
      transport: smtp
      smtp:

    """

private let brokenConfigs: [BrokenConfig] = [
    BrokenConfig(label: "unknown root key", yaml: "spol: var/spool\n", key: "spol", reason: "is not a known setting"),
    BrokenConfig(label: "unknown key quiet_hours.open", yaml: "quiet_hours:\n  open: \"07:00\"\n", key: "quiet_hours.open", reason: "is not a known setting"),
    BrokenConfig(label: "quiet_hours not a mapping", yaml: "quiet_hours: true\n", key: "quiet_hours", reason: "must be a mapping"),
    BrokenConfig(label: "password written in the file", yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    password: secret\n",
                 key: "email.smtp.password", reason: "password_env"),
    BrokenConfig(label: "password_env naming an unset variable",
                 yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    username: koerier\n    password_env: KOERIER_TEST_UNSET\n",
                 key: "email.smtp.password_env", reason: "KOERIER_TEST_UNSET, which is not set"),
    BrokenConfig(label: "password_env naming an empty variable",
                 yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    password_env: KOERIER_TEST_EMPTY\n",
                 key: "email.smtp.password_env", reason: "not set or empty", environment: ["KOERIER_TEST_EMPTY": ""]),
    BrokenConfig(label: "password_file that does not exist", yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    password_file: geheim/ontbreekt.txt\n",
                 key: "email.smtp.password_file", reason: "cannot be read"),
    BrokenConfig(label: "username without a password", yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    username: koerier\n",
                 key: "email.smtp.username", reason: "no password_env or password_file"),
    BrokenConfig(label: "tls none to a remote relay", yaml: smtpHead + "    url: smtp://relay.example.nl:25\n    tls: none\n",
                 key: "email.smtp.tls", reason: "127.0.0.1 or localhost"),
    BrokenConfig(label: "tls maybe", yaml: smtpHead + "    url: smtp://relay.example.nl:25\n    tls: maybe\n", key: "email.smtp.tls", reason: "required or none"),
    BrokenConfig(label: "smtp url over http", yaml: smtpHead + "    url: http://relay.example.nl\n", key: "email.smtp.url", reason: "smtp://"),
    BrokenConfig(label: "smtp transport without url", yaml: "email:\n  transport: smtp\n", key: "email.smtp.url", reason: "is required"),
    BrokenConfig(label: "unknown smtp key", yaml: smtpHead + "    url: smtp://relay.example.nl:587\n    pasword_env: X\n",
                 key: "email.smtp.pasword_env", reason: "is not a known setting"),
    BrokenConfig(label: "transport pigeon", yaml: "email:\n  transport: pigeon\n", key: "email.transport", reason: "smtp or outbox"),
    BrokenConfig(label: "from without an address", yaml: "email:\n  from: Debiteurenbeheer\n", key: "email.from", reason: "Name <address@example.nl>"),
    BrokenConfig(label: "from with a bad address", yaml: "email:\n  from: \"X <x@y>\"\n", key: "email.from", reason: "invalid domain"),
    BrokenConfig(label: "bad timezone", yaml: "timezone: Europe/Amsterdm\n", key: "timezone", reason: "not a known time zone"),
    BrokenConfig(label: "sms sender of 12 characters", yaml: "sms:\n  sender: VoorbeeldBV1\n", key: "sms.sender", reason: "at most 11"),
    BrokenConfig(label: "sms sender with a dash", yaml: "sms:\n  sender: Voor-beeld\n", key: "sms.sender", reason: "'-'"),
    BrokenConfig(label: "provider kind foo",
                 yaml: "sms:\n  providers:\n    - kind: foo\n      url: https://sms.example.nl\n", key: "sms.providers[0].kind", reason: "must be one of"),
    BrokenConfig(label: "second provider kind foo",
                 yaml: "sms:\n  providers:\n    - kind: cm\n      url: https://sms.example.nl\n    - kind: foo\n      url: https://sms.example.nl\n",
                 key: "sms.providers[1].kind", reason: "must be one of"),
    BrokenConfig(label: "provider over plain http", yaml: "sms:\n  providers:\n    - kind: cm\n      url: http://sms.example.nl\n",
                 key: "sms.providers[0].url", reason: "https://"),
    BrokenConfig(label: "provider token in the file", yaml: "sms:\n  providers:\n    - kind: cm\n      url: https://sms.example.nl\n      token: abc\n",
                 key: "sms.providers[0].token", reason: "token_env"),
    BrokenConfig(label: "provider with an unknown key", yaml: "sms:\n  providers:\n    - kind: cm\n      url: https://sms.example.nl\n      tokn_env: X\n",
                 key: "sms.providers[0].tokn_env", reason: "is not a known setting"),
    BrokenConfig(label: "max_parts 11", yaml: "sms:\n  max_parts: 11\n", key: "sms.max_parts", reason: "between 1 and 10"),
    BrokenConfig(label: "ambiguous maybe", yaml: "sms:\n  ambiguous: maybe\n", key: "sms.ambiguous", reason: "fail or resend"),
    BrokenConfig(label: "closes before opens", yaml: "quiet_hours:\n  opens: \"20:00\"\n  closes: \"07:00\"\n", key: "quiet_hours.closes", reason: "later than opens"),
    BrokenConfig(label: "unknown day", yaml: "quiet_hours:\n  days: [ma, xx]\n", key: "quiet_hours.days", reason: "\"xx\" is not a day"),
    BrokenConfig(label: "sms opening 25:00", yaml: "quiet_hours:\n  sms:\n    opens: \"25:00\"\n", key: "quiet_hours.sms.opens", reason: "time like 07:00"),
    BrokenConfig(label: "extra closed date that does not exist", yaml: "quiet_hours:\n  extra_closed_dates: [\"2026-02-30\"]\n",
                 key: "quiet_hours.extra_closed_dates", reason: "not a date"),
    BrokenConfig(label: "spread soon", yaml: "quiet_hours:\n  spread: soon\n", key: "quiet_hours.spread", reason: "duration"),
    BrokenConfig(label: "company IBAN invalid", yaml: "company:\n  iban: NL92ABNA0417164300\n", key: "company.iban", reason: "not a valid IBAN"),
    BrokenConfig(label: "zero attempts", yaml: "delivery:\n  retry:\n    maximum_attempts: 0\n", key: "delivery.retry.maximum_attempts", reason: "between 1 and 1000"),
    BrokenConfig(label: "maximum delay below minimum", yaml: "delivery:\n  retry:\n    minimum_delay: 1h\n    maximum_delay: 5m\n",
                 key: "delivery.retry.maximum_delay", reason: "shorter than minimum_delay"),
    BrokenConfig(label: "concurrency as words", yaml: "delivery:\n  concurrency: veel\n", key: "delivery.concurrency", reason: "whole number"),
    BrokenConfig(label: "pay term of 400 days", yaml: "stages:\n  herinnering: { pay_term_days: 400 }\n", key: "stages.herinnering.pay_term_days", reason: "between 0 and 365"),
    BrokenConfig(label: "unknown stage setting", yaml: "stages:\n  herinnering: { termijn: 7 }\n", key: "stages.herinnering.termijn", reason: "is not a known setting"),
    BrokenConfig(label: "restricted phrase without a list", yaml: "lint:\n  restricted_phrases:\n    deurwaarder: overdracht\n",
                 key: "lint.restricted_phrases.deurwaarder", reason: "list of stages"),
    BrokenConfig(label: "a list at the root", yaml: "- spool\n", key: "", reason: "must be a mapping"),
    BrokenConfig(label: "invalid YAML", yaml: "spool: [var\n", key: "", reason: "not valid YAML"),
]

/// Writes `yaml` as `koerier.yaml` into a fresh folder, loads it, and removes the folder.
private func load(_ yaml: String, environment: [String: String] = [:], files: [String: String] = [:]) throws -> (folder: String, result: Result<Configuration, ConfigError>) {
    let folder = try TestSupport.makeTemporaryFolder("koerier-config")
    defer { TestSupport.remove(folder) }
    try TestSupport.write(yaml, to: "etc/koerier.yaml", under: folder)
    for (name, text) in files { try TestSupport.write(text, to: name, under: folder) }
    let file = folder + "/etc/koerier.yaml"
    let result = Result { () throws(ConfigError) -> Configuration in try Configuration.load(file: file, environment: environment) }
    return (folder, result)
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("the demo configuration loads with its values")
    func demo() throws {
        let configuration = try TestSupport.demoConfiguration()
        let root = TestSupport.packageRoot
        #expect(configuration.file == TestSupport.demoConfigPath)
        #expect(configuration.templates == root + "/Templates")
        #expect(configuration.spool == root + "/var/demo/spool")
        #expect(configuration.journal == root + "/var/demo/journal")
        #expect(configuration.attachments == root + "/Examples/attachments")
        #expect(configuration.timeZone.identifier == "Europe/Amsterdam")
        #expect(configuration.contact.email.enabled == false)
        #expect(configuration.contact.spread == 900)
        #expect(configuration.email.fromName == "Debiteurenbeheer Voorbeeld B.V.")
        #expect(configuration.email.fromAddress.value == "debiteuren@voorbeeld.nl")
        #expect(configuration.email.transport == .outbox)
        #expect(configuration.email.outbox == root + "/var/demo/outbox")
        #expect(configuration.email.smtp == nil)
        #expect(configuration.email.messageIDDomain == "voorbeeld.nl")
        #expect(configuration.email.replyToSender)
        #expect(configuration.sms.sender == "Voorbeeld")
        #expect(configuration.sms.maximumParts == 3)
        #expect(configuration.sms.transliterate)
        #expect(configuration.sms.paymentDomain == "betalen.voorbeeld.nl")
        #expect(configuration.sms.providers.isEmpty)
        #expect(configuration.sms.ambiguousResend == false)
        #expect(configuration.company.iban == "NL91 ABNA 0417 1643 00")
        #expect(configuration.company.kvk == "12345678")
        #expect(configuration.defaultSender.name == "Afdeling Debiteurenbeheer")
        #expect(configuration.delivery.retry.minimumDelay == 300)
        #expect(configuration.delivery.retry.maximumDelay == 3_600)
        #expect(configuration.delivery.retry.maximumAge == 48 * 3_600)
        #expect(configuration.delivery.retry.maximumAttempts == 10)
        #expect(configuration.delivery.debtorPacing == nil)
        #expect(configuration.delivery.rescanInterval == 30)
        #expect(configuration.payTermDays(stage: "herinnering") == 7)
        #expect(configuration.payTermDays(stage: "ingebrekestelling") == 14)
        #expect(configuration.payTermDays(stage: "veertiendagenbrief") == 14)
        #expect(configuration.lint.restrictedPhrases["deurwaarder"]?.contains("overdracht") == true)
        #expect(configuration.lint.restrictedPhrases["deurwaarder"]?.contains("herinnering") == false)
    }

    @Test("the annotated example configuration loads too")
    func annotatedExample() throws {
        let configuration = try Configuration.load(file: TestSupport.packageRoot + "/Config/koerier.yaml", environment: [:])
        #expect(configuration.templates == TestSupport.packageRoot + "/Templates")
        #expect(configuration.spool == TestSupport.packageRoot + "/var/spool")
        #expect(configuration.contact.email.enabled)
    }

    @Test("a broken configuration is refused with its key path", arguments: brokenConfigs)
    func broken(_ testCase: BrokenConfig) throws {
        let (folder, result) = try load(testCase.yaml, environment: testCase.environment)
        switch result {
        case .success:
            Issue.record("accepted")
        case .failure(let error):
            // Every problem is listed; the one this case is about must be among them.
            let problem = error.problems.first { $0.key == testCase.key }
            #expect(problem != nil, "problems were: \(error.description)")
            #expect(problem?.reason.contains(testCase.reason) == true, "problems were: \(error.description)")
            #expect(error.file == folder + "/etc/koerier.yaml")
            #expect(error.description.hasPrefix(error.file + ": "))
        }
    }

    @Test("an empty file gives the documented defaults, paths relative to its folder")
    func defaults() throws {
        let (folder, result) = try load("")
        let configuration = try result.get()
        #expect(configuration.spool == folder + "/etc/var/spool")
        #expect(configuration.journal == folder + "/etc/var/journal")
        #expect(configuration.templates == folder + "/etc/Templates")
        #expect(configuration.email.outbox == folder + "/etc/var/outbox")
        #expect(configuration.timeZone.identifier == "Europe/Amsterdam")
        #expect(configuration.email.transport == .outbox)
        #expect(configuration.email.messageIDDomain == "example.nl")
        #expect(configuration.sms.sender == "Koerier")
        #expect(configuration.sms.maximumParts == 3)
        #expect(configuration.contact.email.enabled)
        #expect(configuration.delivery.concurrency == 64)
        #expect(configuration.delivery.sendAhead == 32)
    }

    @Test("relative paths are resolved against the configuration's folder, absolute paths are kept")
    func relativePaths() throws {
        let yaml = """
            spool: var/spool
            journal: ./logs/../journal
            templates: ../Templates
            attachments: /srv/koerier/bijlagen/
            email:
              outbox: uit
            """
        let (folder, result) = try load(yaml)
        let configuration = try result.get()
        #expect(configuration.spool == folder + "/etc/var/spool")
        #expect(configuration.journal == folder + "/etc/journal")
        #expect(configuration.templates == folder + "/Templates")
        #expect(configuration.attachments == "/srv/koerier/bijlagen")
        #expect(configuration.email.outbox == folder + "/etc/uit")
    }

    @Test("secrets come from the environment or from a file next to the configuration")
    func secrets() throws {
        let fromEnvironment = try load(smtpHead + "    url: smtps://relay.example.nl:465\n    username: koerier\n    password_env: KOERIER_SMTP_PASSWORD\n",
                                       environment: ["KOERIER_SMTP_PASSWORD": "s3cret"]).result.get()
        let smtp = try #require(fromEnvironment.email.smtp)
        #expect(smtp.password == "s3cret")
        #expect(smtp.username == "koerier")
        #expect(smtp.tls == .required)
        #expect(smtp.url == "smtps://relay.example.nl:465")

        let fromFile = try load(smtpHead + "    url: smtp://relay.example.nl:587\n    username: koerier\n    password_file: geheim/smtp.txt\n",
                                files: ["etc/geheim/smtp.txt": "  f1le-s3cret\n"]).result.get()
        #expect(fromFile.email.smtp?.password == "f1le-s3cret")

        let provider = try load("sms:\n  providers:\n    - kind: messagebird\n      url: https://rest.messagebird.com\n      token_env: MB\n",
                                environment: ["MB": "tok"]).result.get()
        #expect(provider.sms.providers.first?.secret == "tok")
        #expect(provider.sms.providers.first?.name == "messagebird")
    }

    @Test("tls none is allowed for a relay on loopback", arguments: ["smtp://127.0.0.1:2525", "smtp://localhost:25", "smtp://[::1]:25"])
    func plainLoopback(_ url: String) throws {
        let configuration = try load(smtpHead + "    url: \(url)\n    tls: none\n").result.get()
        #expect(configuration.email.smtp?.tls == SMTPSettingsTLS.none)
    }

    @Test("tls none is refused for a DNS name that merely starts with 127.")
    func plainLoopbackLookalike() throws {
        let (_, result) = try load(smtpHead + "    url: smtp://127.attacker.example:25\n    tls: none\n")
        guard case .failure(let error) = result else {
            Issue.record("plain-text SMTP to a remote host was accepted")
            return
        }
        #expect(error.key == "email.smtp.tls")
    }

    @Test("durations accept seconds and s, m, h, d suffixes", arguments: [
        ("300", 300.0), ("300s", 300), ("15m", 900), ("2h", 7_200), ("2d", 172_800), ("1.5h", 5_400),
    ])
    func durations(_ text: String, seconds: TimeInterval) throws {
        let configuration = try load("delivery:\n  retry:\n    maximum_age: \(text)\n").result.get()
        #expect(configuration.delivery.retry.maximumAge == seconds)
    }

    @Test("a negative duration with a unit is refused")
    func negativeDuration() throws {
        try expectNegativeDurationRefused("-5m")
    }

    @Test("a negative duration written as a bare number is refused")
    func negativeBareDuration() throws {
        try expectNegativeDurationRefused("-300")
    }

    private func expectNegativeDurationRefused(_ text: String) throws {
        let (_, result) = try load("delivery:\n  rescan_interval: \(text)\n")
        guard case .failure(let error) = result else {
            Issue.record("a negative rescan_interval was accepted: \((try? result.get())?.delivery.rescanInterval ?? 0)")
            return
        }
        #expect(error.key == "delivery.rescan_interval")
    }

    @Test("per-channel contact rules inherit the shared ones")
    func contactRules() throws {
        let yaml = """
            quiet_hours:
              opens: "08:00"
              closes: "21:00"
              days: [ma, di, wo, do, vr]
              sms:
                opens: "09:00"
                closes: "18:00"
            """
        let configuration = try load(yaml).result.get()
        #expect(configuration.contact.email.opens == 8 * 60)
        #expect(configuration.contact.email.closes == 21 * 60)
        #expect(configuration.contact.sms.opens == 9 * 60)
        #expect(configuration.contact.sms.closes == 18 * 60)
        #expect(configuration.contact.sms.days == [1, 2, 3, 4, 5])
        #expect(configuration.contact.email.days == [1, 2, 3, 4, 5])
    }

    @Test("a restricted phrase from the configuration replaces that phrase's rule, lower-cased; the others (BKR) stay")
    func restrictedPhrases() throws {
        let configuration = try load("lint:\n  restricted_phrases:\n    Deurwaarder: [overdracht]\n    schuldhulp: []\n").result.get()
        #expect(configuration.lint.restrictedPhrases["deurwaarder"] == ["overdracht"])
        #expect(configuration.lint.restrictedPhrases["schuldhulp"] == [])
        #expect(configuration.lint.restrictedPhrases["bkr"] == [], "BKR stays banned in every stage")
        #expect(configuration.lint.restrictedPhrases["rechter"]?.contains("ingebrekestelling") == true)
    }

    @Test("a missing file is a configuration error")
    func missingFile() {
        do {
            _ = try Configuration.load(file: "/nonexistent/koerier-\(UUID().uuidString).yaml", environment: [:])
            Issue.record("loaded a file that does not exist")
        } catch {
            #expect(error.key.isEmpty)
            #expect(error.reason.contains("cannot be read"))
        }
    }
}

private typealias SMTPSettingsTLS = Configuration.SMTPSettings.TLS

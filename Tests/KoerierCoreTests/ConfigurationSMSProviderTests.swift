import Foundation
import Testing
@testable import KoerierCore

private let secretToken = "s3cr3t-provider-token"

/// Loads a configuration whose `sms.providers` list is `providers` (YAML list items, indented by four).
private func loadProviders(_ providers: String) throws -> Result<Configuration, ConfigError> {
    let folder = try TestSupport.makeTemporaryFolder("koerier-sms-config")
    defer { TestSupport.remove(folder) }
    try TestSupport.write("sms:\n  providers:\n" + providers, to: "koerier.yaml", under: folder)
    return Result { () throws(ConfigError) -> Configuration in
        try Configuration.load(file: folder + "/koerier.yaml", environment: ["TOKEN": secretToken])
    }
}

/// A provider entry that must be refused: the key path and a fragment of the reason.
struct BrokenProvider: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let key: String
    let reason: String
    var testDescription: String { label }
}

private let base = "    - kind: %@\n      url: https://gw.example.nl\n      token_env: TOKEN\n"
private func entry(_ kind: String, _ extra: String = "") -> String { String(format: base, kind) + extra }

private let brokenProviders: [BrokenProvider] = [
    BrokenProvider(label: "account on cm", yaml: entry("cm", "      account: x\n"),
                   key: "sms.providers[0].account", reason: "does not apply to kind cm; it is a setting of twilio, vonage, http"),
    BrokenProvider(label: "path on messagebird", yaml: entry("messagebird", "      path: /send\n"),
                   key: "sms.providers[0].path", reason: "does not apply to kind messagebird; it is a setting of http"),
    BrokenProvider(label: "route on twilio", yaml: entry("twilio", "      account: AC1\n      route: business\n"),
                   key: "sms.providers[0].route", reason: "does not apply to kind twilio; it is a setting of spryng"),
    BrokenProvider(label: "status_callback on spryng", yaml: entry("spryng", "      status_callback: https://x.example.nl/dlr\n"),
                   key: "sms.providers[0].status_callback", reason: "does not apply to kind spryng; it is a setting of twilio"),
    BrokenProvider(label: "headers on vonage", yaml: entry("vonage", "      account: key\n      headers:\n        X-A: b\n"),
                   key: "sms.providers[0].headers", reason: "does not apply to kind vonage"),
    BrokenProvider(label: "twilio without account", yaml: entry("twilio"), key: "sms.providers[0].account", reason: "is required"),
    BrokenProvider(label: "vonage without account", yaml: entry("vonage"), key: "sms.providers[0].account", reason: "is required"),
    BrokenProvider(label: "cm without token", yaml: "    - kind: cm\n      url: https://gw.example.nl\n",
                   key: "sms.providers[0].token_env", reason: "is required for kind cm"),
    BrokenProvider(label: "status_callback over plain http", yaml: entry("twilio", "      account: AC1\n      status_callback: http://dlr.example.nl/x\n"),
                   key: "sms.providers[0].status_callback", reason: "must be https://"),
    BrokenProvider(label: "spryng route with a space", yaml: entry("spryng", "      route: my route\n"),
                   key: "sms.providers[0].route", reason: "route id of letters"),
    BrokenProvider(label: "http without path", yaml: entry("http"), key: "sms.providers[0].path", reason: "is required"),
    BrokenProvider(label: "http body_encoding xml", yaml: entry("http", "      path: /send\n      body_encoding: xml\n"),
                   key: "sms.providers[0].body_encoding", reason: "must be json or form"),
    BrokenProvider(label: "http success_status 2xx", yaml: entry("http", "      path: /send\n      success_status: 2xx\n"),
                   key: "sms.providers[0].success_status", reason: "such as 200"),
    BrokenProvider(label: "http success_status 99999999999999999999", yaml: entry("http", "      path: /send\n      success_status: 99999999999999999999\n"),
                   key: "sms.providers[0].success_status", reason: "within 100-599"),
    BrokenProvider(label: "http unknown placeholder", yaml: entry("http", "      path: /send\n      body: '{\"k\":\"{{secret}}\"}'\n"),
                   key: "sms.providers[0].body", reason: "unknown placeholder {{secret}}"),
    BrokenProvider(label: "http unclosed placeholder in a header", yaml: entry("http", "      path: /send\n      headers:\n        X-Key: \"{{token\"\n"),
                   key: "sms.providers[0].headers.X-Key", reason: "never closed"),
    BrokenProvider(label: "http bad header name", yaml: entry("http", "      path: /send\n      headers:\n        \"X Key\": v\n"),
                   key: "sms.providers[0].headers.X Key", reason: "not a valid HTTP header name"),
    BrokenProvider(label: "http method with a space", yaml: entry("http", "      path: /send\n      method: PO ST\n"),
                   key: "sms.providers[0].method", reason: "not an HTTP method"),
    BrokenProvider(label: "two providers with one name", yaml: entry("cm") + entry("cm"),
                   key: "sms.providers[1].name", reason: "is also the name of providers[0]"),
]

@Suite("Configuration: SMS providers")
struct ConfigurationSMSProviderTests {
    @Test("a provider entry is checked against exactly the keys of its kind", arguments: brokenProviders)
    func broken(_ testCase: BrokenProvider) throws {
        guard case .failure(let error) = try loadProviders(testCase.yaml) else {
            Issue.record("accepted")
            return
        }
        let problem = error.problems.first { $0.key == testCase.key }
        #expect(problem?.reason.contains(testCase.reason) == true, "problems were: \(error.description)")
        #expect(!error.description.contains(secretToken))
    }

    @Test("each kind's own settings are read into typed options")
    func typedOptions() throws {
        let yaml = entry("twilio", "      name: tw\n      account: AC0123\n      status_callback: https://dlr.voorbeeld.nl/twilio?k=1\n")
            + entry("spryng", "      name: sp\n      route: \"1234\"\n")
            + entry("vonage", "      name: vo\n      account: vonage-key\n")
            + entry("cm", "      name: cm\n")
            + entry("messagebird", "      name: mb\n")
            + entry("http", """
                      name: gw
                      account: acct-7
                      method: put
                      path: /v2/send/{{to_digits}}
                      headers:
                        X-Api-Key: "{{token}}"
                      body: "to={{to}}&text={{text}}"
                      body_encoding: form
                      success_status: 200-202
                      id_path: data.id

                """)
        let providers = try loadProviders(yaml).get().sms.providers
        #expect(providers.map(\.name) == ["tw", "sp", "vo", "cm", "mb", "gw"])
        #expect(providers.map(\.kind) == ["twilio", "spryng", "vonage", "cm", "messagebird", "http"])
        #expect(providers[0].options == .twilio(account: "AC0123", statusCallback: "https://dlr.voorbeeld.nl/twilio?k=1"))
        #expect(providers[1].options == .spryng(route: "1234"))
        #expect(providers[2].options == .vonage(account: "vonage-key"))
        #expect(providers[3].options == .cm)
        #expect(providers[4].options == .messagebird)
        #expect(providers[5].options == .http(.init(
            method: "PUT", path: "/v2/send/{{to_digits}}", headers: [.init(name: "X-Api-Key", value: "{{token}}")],
            body: "to={{to}}&text={{text}}", bodyEncoding: .form, successStatus: 200...202, idPath: "data.id", account: "acct-7"
        )))
        #expect(providers.allSatisfy { $0.secret == secretToken })
        #expect(!providers.map(\.description).joined().contains(secretToken))
    }

    @Test("url may be left out for a provider with a production API, not for http")
    func optionalURL() throws {
        let providers = try loadProviders("    - kind: messagebird\n      token_env: TOKEN\n").get().sms.providers
        #expect(providers.first?.url == "")
        guard case .failure(let error) = try loadProviders("    - kind: http\n      path: /send\n") else {
            Issue.record("http without url was accepted")
            return
        }
        #expect(error.problems.map(\.key) == ["sms.providers[0].url"])
    }

    @Test("several broken providers are all reported, each under its own index")
    func everyProviderProblem() throws {
        let yaml = entry("twilio") + entry("cm", "      route: x\n") + "    - kind: smsbird\n      url: https://gw.example.nl\n"
        guard case .failure(let error) = try loadProviders(yaml) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.map(\.key) == ["sms.providers[0].account", "sms.providers[1].route", "sms.providers[2].kind"])
    }
}

@Suite("Configuration: secrets stay out of printed values")
struct ConfigurationRedactionTests {
    @Test("printing or dumping the loaded configuration never shows a password or token")
    func redacted() throws {
        let folder = try TestSupport.makeTemporaryFolder("koerier-redaction")
        defer { TestSupport.remove(folder) }
        let yaml = """
            email:
              transport: smtp
              smtp:
                url: smtp://relay.example.nl:587
                username: koerier
                password_env: PW
            sms:
              providers:
                - kind: cm
                  url: https://gw.example.nl
                  token_env: TOKEN
            """
        try TestSupport.write(yaml, to: "koerier.yaml", under: folder)
        let configuration = try Configuration.load(file: folder + "/koerier.yaml", environment: ["PW": "pw-s3cret", "TOKEN": secretToken])
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains("pw-s3cret"))
            #expect(!text.contains(secretToken))
        }
        #expect(configuration.email.smtp?.password == "pw-s3cret")
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// Writes `yaml` as `koerier.yaml` into a fresh folder and loads it.
private func loadHTTPConfig(_ yaml: String, environment: [String: String] = [:]) throws -> Result<Configuration, ConfigError> {
    let folder = try TestSupport.makeTemporaryFolder("koerier-http")
    defer { TestSupport.remove(folder) }
    try TestSupport.write(yaml, to: "koerier.yaml", under: folder)
    return Result { () throws(ConfigError) -> Configuration in try Configuration.load(file: folder + "/koerier.yaml", environment: environment) }
}

@Suite("Configuration: http and report secrets")
struct ConfigurationHTTPTests {
    @Test("listen takes an IP literal and a port", arguments: [
        ("127.0.0.1:9300", "127.0.0.1", 9300),
        ("[::1]:8080", "::1", 8080),
        ("0.0.0.0:1", "0.0.0.0", 1),
    ])
    func listen(_ text: String, _ host: String, _ port: Int) throws {
        let configuration = try loadHTTPConfig("http:\n  listen: \"\(text)\"\n  public_url: https://koerier.voorbeeld.nl/\n").get()
        #expect(configuration.http == .init(host: host, port: port, publicURL: "https://koerier.voorbeeld.nl"))
        #expect(configuration.http?.reportURL(provider: "primary") == "https://koerier.voorbeeld.nl/dlr/primary")
    }

    @Test("a listen address that is a name, lacks a port or is out of range is refused at http.listen", arguments: [
        "localhost:9300", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999999999999999999", "::1:80", "[::1]80", "300.1.1.1:80", "",
    ])
    func badListen(_ text: String) throws {
        guard case .failure(let error) = try loadHTTPConfig("http:\n  listen: \"\(text)\"\n") else { Issue.record("accepted \(text)"); return }
        #expect(error.problems.contains { $0.key == "http.listen" }, "\(error)")
    }

    @Test("public_url must be an absolute http(s) URL without query, fragment or credentials", arguments: [
        "koerier.voorbeeld.nl", "ftp://x.nl", "https://x.nl/?a=1", "https://user:pw@x.nl",
    ])
    func badPublicURL(_ url: String) throws {
        guard case .failure(let error) = try loadHTTPConfig("http:\n  listen: 127.0.0.1:9300\n  public_url: \"\(url)\"\n") else { Issue.record("accepted \(url)"); return }
        #expect(error.problems.contains { $0.key == "http.public_url" }, "\(error)")
    }

    @Test("no http key means no listener; an unknown key under http is refused")
    func absentAndUnknown() throws {
        #expect(try loadHTTPConfig("spool: s\n").get().http == nil)
        guard case .failure(let error) = try loadHTTPConfig("http:\n  listen: 127.0.0.1:9300\n  port: 80\n") else { Issue.record("accepted http.port"); return }
        #expect(error.problems.contains { $0.key.hasPrefix("http") }, "\(error)")
    }

    @Test("a report secret comes from report_secret_env, never from the file, and must be 16 bytes or more")
    func reportSecret() throws {
        let entry = "sms:\n  providers:\n    - { name: mb, kind: messagebird, token_env: T, %@ }\nhttp: { listen: 127.0.0.1:9300, public_url: https://k.nl }\n"
        let good = try loadHTTPConfig(entry.replacingOccurrences(of: "%@", with: "report_secret_env: R"),
                                      environment: ["T": "token", "R": "0123456789abcdef0123"]).get()
        #expect(good.sms.providers.first?.reportSecret == "0123456789abcdef0123")
        #expect(good.sms.providers.first?.reportURL == "https://k.nl/dlr/mb")
        #expect(!"\(good.sms.providers)".contains("0123456789abcdef0123"))
        var dumped = ""
        dump(good.sms.providers, to: &dumped)
        #expect(!dumped.contains("0123456789abcdef0123"))
        guard case .failure(let inline) = try loadHTTPConfig(entry.replacingOccurrences(of: "%@", with: "report_secret: plain-text-secret-123"), environment: ["T": "token"]) else {
            Issue.record("a report secret written in the file was accepted"); return
        }
        #expect(inline.problems.contains { $0.key == "sms.providers[0].report_secret" })
        #expect(!inline.description.contains("plain-text-secret-123"))
        guard case .failure(let short) = try loadHTTPConfig(entry.replacingOccurrences(of: "%@", with: "report_secret_env: R"), environment: ["T": "token", "R": "short"]) else {
            Issue.record("a short report secret was accepted"); return
        }
        #expect(short.problems.contains { $0.key == "sms.providers[0].report_secret_env" })
    }
}

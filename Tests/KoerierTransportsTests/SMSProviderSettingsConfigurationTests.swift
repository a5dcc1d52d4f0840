import Foundation
import KoerierCore
import KoerierTransports
import Testing

private let message = OutgoingSMS(actionID: "act-1", to: "+31612345678", from: "Voorbeeld", text: "Herinnering", unicode: false, parts: 1)

private func config(_ options: Configuration.SMSProviderOptions, url: String = "https://gw.example.nl") -> Configuration.SMSProviderSettingsConfig {
    Configuration.SMSProviderSettingsConfig(name: "p", url: url, secret: "tok", concurrency: 1, ratePerSecond: 1, timeout: 5, options: options)
}

@Suite("SMS provider settings from the configuration")
struct SMSProviderSettingsConfigurationTests {
    @Test("Twilio's status callback reaches the request, with the reference added")
    func twilioStatusCallback() throws {
        let settings = SMSProviderSettings(config(.twilio(account: "AC0123", statusCallback: "https://dlr.voorbeeld.nl/twilio")))
        #expect(settings.account == "AC0123")
        #expect(settings.statusCallbackURL == "https://dlr.voorbeeld.nl/twilio")
        let request = try TwilioProvider().request(for: message, settings: settings)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("StatusCallback=https"), "body: \(body)")
        #expect(body.contains("reference%3Dact-1"), "body: \(body)")
    }

    @Test("Spryng's route reaches the request")
    func spryngRoute() throws {
        let settings = SMSProviderSettings(config(.spryng(route: "1234")))
        let request = try SpryngProvider().request(for: message, settings: settings)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("\"route\":\"1234\""), "body: \(body)")
    }

    @Test("the generic provider's settings map one to one")
    func generic() throws {
        let generic = Configuration.GenericHTTPSMSSettings(
            method: "PUT", path: "/send", headers: [.init(name: "X-Key", value: "{{token}}")], body: "to={{to}}",
            bodyEncoding: .form, successStatus: 200...202, idPath: "data.id", account: "acct")
        let settings = SMSProviderSettings(config(.http(generic)))
        #expect(settings.method == "PUT")
        #expect(settings.path == "/send")
        #expect(settings.headers == [HTTPHeader("X-Key", "{{token}}")])
        #expect(settings.bodyTemplate == "to={{to}}")
        #expect(settings.bodyEncoding == .form)
        #expect(settings.successStatus == 200...202)
        #expect(settings.idJSONPath == "data.id")
        #expect(settings.account == "acct")
        let request = try GenericHTTPProvider(settings: settings).request(for: message, settings: settings)
        #expect(request.method == "PUT")
        #expect(request.url == "https://gw.example.nl/send")
        #expect(String(decoding: request.body, as: UTF8.self) == "to=%2B31612345678")
    }

    @Test("a provider without a url gets its production base URL")
    func defaultURL() {
        #expect(SMSProviderSettings(config(.messagebird, url: "")).baseURL == MessageBirdProvider.defaultBaseURL)
    }
}

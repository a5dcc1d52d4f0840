import Foundation
import KoerierCore
import KoerierTransports
import Testing

@Suite("The report URL in each provider's request")
struct DeliveryReportURLTests {
    static let message = OutgoingSMS(actionID: "act-1", to: "+31612345678", from: "Voorbeeld", text: "Hallo", unicode: false, parts: 1)

    @Test("with public_url, MessageBird gets reportUrl, Vonage callback and Twilio StatusCallback; without, none", arguments: [
        ("messagebird", "\"reportUrl\":\"https://k.nl/dlr/p\""),
        ("vonage", "callback=https%3A%2F%2Fk.nl%2Fdlr%2Fp"),
        ("twilio", "StatusCallback=https%3A%2F%2Fk.nl%2Fdlr%2Fp%3Freference%3Dact-1"),
    ])
    func reportURL(_ kind: String, _ expected: String) throws {
        let options: Configuration.SMSProviderOptions = switch kind {
        case "vonage": .vonage(account: "key")
        case "twilio": .twilio(account: "AC1", statusCallback: nil)
        default: .messagebird
        }
        var config = Configuration.SMSProviderSettingsConfig(name: "p", url: "", secret: "secret", concurrency: 1, ratePerSecond: 1, timeout: 5, options: options)
        let codec = try #require(SMSProviders.codec(kind: kind, settings: SMSProviderSettings(config)))
        let without = String(decoding: try codec.request(for: Self.message, settings: SMSProviderSettings(config)).body, as: UTF8.self)
        #expect(!without.contains("k.nl"))
        config.reportURL = "https://k.nl/dlr/p"
        let with = String(decoding: try codec.request(for: Self.message, settings: SMSProviderSettings(config)).body, as: UTF8.self)
        #expect(with.contains(expected), "\(with)")
    }
}

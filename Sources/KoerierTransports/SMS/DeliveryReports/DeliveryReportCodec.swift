import Crypto
import Foundation
import KoerierCore

/// Reads one provider's delivery reports: authenticates the request the provider's own way, parses its format and
/// maps its status to a `DeliveryStatus.Report`. Pure: a request, the secret and the time in, an outcome out.
public protocol DeliveryReportCodec: Sendable {
    /// The provider kind this codec reads (`twilio`, `messagebird`, ...).
    var kind: String { get }
    /// Authenticates and parses `request` for the provider named `source`, with `secret` (the auth token, signing
    /// key, signature secret or URL token) at time `now`.
    func read(_ request: DeliveryReportRequest, source: String, secret: String, now: Date) -> DeliveryReportOutcome
}

/// The codec for each provider kind.
public enum DeliveryReportCodecs {
    /// The delivery-report codec for `kind`, or nil for an unknown kind.
    public static func codec(kind: String) -> (any DeliveryReportCodec)? {
        switch kind {
        case "twilio": TwilioDeliveryReport()
        case "messagebird": MessageBirdDeliveryReport()
        case "vonage": VonageDeliveryReport()
        case "cm": CMDeliveryReport()
        case "spryng": SpryngDeliveryReport()
        case "http": GenericDeliveryReport()
        default: nil
        }
    }
}

/// Small checks the codecs share.
enum ReportCheck {
    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// Lower-case hex of `bytes`.
    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Decodes base64url without padding (JWT); nil when it is not.
    static func base64URL(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count <= 8_192, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }

    /// The URL token check shared by CM, Spryng and `http`: the token from the path (`/dlr/<name>/<token>`) or
    /// `?token=`, compared in constant time; nil when it matches.
    static func urlTokenProblem(_ request: DeliveryReportRequest, secret: String) -> String? {
        let given = request.pathToken ?? request.query.first(where: { $0.0 == "token" })?.1
        guard let given, !given.isEmpty else { return "no token in the URL (/dlr/<name>/<token> or ?token=)" }
        guard !secret.isEmpty, constantTimeEqual(Array(given.utf8), Array(secret.utf8)) else { return "the URL token does not match" }
        return nil
    }

    /// A provider's text field for the journal: control characters removed, at most `limit` characters; nil if empty.
    static func text(_ value: String?, limit: Int = 200) -> String? {
        guard let value else { return nil }
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }).prefix(limit))
            .trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? nil : cleaned
    }

    /// A message id or reference: 1...128 printable ASCII characters without spaces; nil otherwise.
    static func identifier(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return value
    }

    /// A decimal number in `range`, checked before conversion (at most 10 digits); nil otherwise.
    static func number(_ value: String?, in range: ClosedRange<Int>) -> Int? {
        guard let value, (1...10).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let number = Int(value), range.contains(number) else { return nil }
        return number
    }

    /// HMAC with `secret` as the key.
    static func hmac<H: HashFunction>(_ hash: H.Type, secret: String, _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<H>.authenticationCode(for: data, using: SymmetricKey(data: Array(secret.utf8))))
    }
}

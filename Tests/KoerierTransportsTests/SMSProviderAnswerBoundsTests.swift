import Foundation
import KoerierCore
import Testing
@testable import KoerierTransports

// A provider's answer is input from outside: every number in it is range-checked where it enters, and no
// answer, however odd, may trap a codec (a trap crashes the daemon, and again on every restart).

private func answer(_ status: Int, _ body: String = "", headers: [String: String] = [:]) -> HTTPResponseSpec {
    HTTPResponseSpec(status: status, headers: headers, body: Array(body.utf8))
}

/// Every provider's codec, the generic one reading its id at `id`.
private let everyCodec: [any SMSProviderCodec] = SMSProviders.kinds.compactMap { kind in
    kind == "http" ? GenericHTTPProvider(idJSONPath: "id") : SMSProviders.codec(kind: kind)
}

/// Retry-After values a provider (or anything between us and it) may send, and the seconds that must come out.
private let retryAfterCases: [(raw: String, seconds: Int?)] = [
    ("99999999999999999999", 86_400),
    ("9223372036854775807", 86_400),
    ("9223372036854775808", 86_400),
    ("1e300", nil),
    ("1E400", nil),
    ("-1", nil),
    ("-99999999999999999999", nil),
    ("nan", nil),
    ("inf", nil),
    ("1.5", nil),
    ("0x10", nil),
    ("86400", 86_400),
    ("86401", 86_400),
    ("120", 120),
    ("0", 0),
    ("  30  ", 30),
    ("", nil),
    ("Fri, 31 Dec 9999 23:59:59 GMT", 86_400),
    ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
    ("Sun, 30 Feb 2026 10:00:00 GMT", nil),
    ("Sun, 06 Nov 1994 25:49:37 GMT", nil),
]

@Suite("SMS provider answers: range-checked where they enter")
struct SMSProviderAnswerBoundsTests {
    @Test("a 429 with any Retry-After never traps and waits at most one day",
          arguments: retryAfterCases.map(\.raw))
    func retryAfterIsBounded(_ raw: String) throws {
        let expected = try #require(retryAfterCases.first { $0.raw == raw }).seconds
        for codec in everyCodec {
            let outcome = codec.classify(answer(429, "", headers: ["retry-after": raw]))
            guard case .retryLater(let seconds, _) = outcome else {
                Issue.record("\(codec.kind): a 429 gave \(outcome)")
                continue
            }
            #expect(seconds == expected, "\(codec.kind): Retry-After \(raw)")
        }
    }

    @Test("an HTTP-date in Retry-After counts from now, in each of its three forms")
    func retryAfterHTTPDates() {
        // 2026-11-28T10:00:00Z
        let now = Date(timeIntervalSince1970: 1_795_860_000)
        let cases: [(String, Int?)] = [
            ("Sat, 28 Nov 2026 10:01:30 GMT", 90),
            ("Saturday, 28-Nov-26 10:01:30 GMT", 90),
            ("Sat Nov 28 10:01:30 2026", 90),
            ("Sat Nov 28 09:59:00 2026", 0),
            ("Sun, 29 Nov 2026 10:00:01 GMT", 86_400),
            ("Sat, 28 Nov 2026 10:01:30 CET", nil),
        ]
        for (raw, expected) in cases {
            #expect(SMSCodecSupport.retryAfter(answer(429, headers: ["retry-after": raw]), now: now) == expected, "\(raw)")
        }
    }

    @Test("a 64-bit message id written as a JSON number comes back exactly as the provider wrote it",
          arguments: ["9223372036854775807", "12345678901234567890", "18446744073709551615", "9007199254740993"])
    func numericIDsKeepEveryDigit(_ id: String) {
        let cases: [(any SMSProviderCodec, String)] = [
            (MessageBirdProvider(), #"{"id":\#(id),"recipients":{"items":[{"status":"sent"}]}}"#),
            (SpryngProvider(), #"{"id":\#(id),"encoding":"plain"}"#),
            (TwilioProvider(), #"{"sid":\#(id),"status":"queued"}"#),
            (VonageProvider(), #"{"message-count":"1","messages":[{"status":"0","message-id":\#(id)}]}"#),
            (GenericHTTPProvider(idJSONPath: "data.0.id"), #"{"data":[{"id":\#(id)}]}"#),
        ]
        for (codec, body) in cases {
            let outcome = codec.classify(answer(200, body))
            guard case .accepted(let messageID, _) = outcome else {
                Issue.record("\(codec.kind): \(outcome)")
                continue
            }
            #expect(messageID == id, "\(codec.kind)")
        }
    }

    @Test("a lookup answer's numeric id keeps every digit too")
    func lookupIDsKeepEveryDigit() {
        let found = MessageBirdProvider().classifyLookup(
            answer(200, #"{"items":[{"id":12345678901234567890,"reference":"act-1"}]}"#), reference: "act-1")
        #expect(found == .found(messageID: "12345678901234567890", status: "sent"))
    }

    @Test("codes, statuses and counts too large for any integer are not taken for a known code",
          arguments: ["99999999999999999999", "1e300", "-9223372036854775809", "2.0000000000000001"])
    func hugeCodesAreUnknownCodes(_ number: String) {
        // Vonage: a status that is no number we know is a refusal of this message, never "accepted".
        let vonage = VonageProvider().classify(answer(200, #"{"messages":[{"status":\#(number),"message-id":"x"}]}"#))
        if case .accepted = vonage { Issue.record("vonage took status \(number) for success") }
        // CM: an absurd part count is shown as unknown, not copied into the journal.
        let cm = CMProvider().classify(answer(200, #"{"errorCode":0,"messages":[{"status":"Accepted","parts":\#(number)}]}"#))
        #expect(cm == .accepted(messageID: nil, detail: "Accepted: ? part(s)"))
        // MessageBird and Twilio: an unknown error code falls back to the HTTP status.
        #expect(MessageBirdProvider().classify(answer(422, #"{"errors":[{"code":\#(number),"description":"x"}]}"#)) ==
                .permanent(detail: "HTTP 422 code ?: x"))
        #expect(TwilioProvider().classify(answer(400, #"{"code":\#(number),"message":"x"}"#)) == .permanent(detail: "HTTP 400 code -: x"))
    }

    @Test("a message id that could never be matched (too long, control characters, spaces) is not kept")
    func unusableIDsAreDropped() {
        let long = String(repeating: "9", count: 129)
        for id in [#""\#(long)""#, #""ab\u0000cd""#, #""ab cd""#, #""ab\u202Ecd""#, #""""#] {
            let outcome = SpryngProvider().classify(answer(200, #"{"id":\#(id)}"#))
            #expect(outcome == .accepted(messageID: nil, detail: "HTTP 200"), "\(id)")
        }
        #expect(SpryngProvider().classify(answer(200, #"{"id":"\#(String(repeating: "a", count: 128))"}"#))
                == .accepted(messageID: String(repeating: "a", count: 128), detail: "HTTP 200"))
    }

    @Test("an answer nested deeper than the parser allows is an unreadable answer, not a crash")
    func deepAnswers() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        for codec in everyCodec {
            _ = codec.classify(answer(200, deep))
            _ = codec.classify(answer(500, deep))
            _ = codec.classifyLookup(answer(200, deep), reference: "act-1")
        }
    }
}

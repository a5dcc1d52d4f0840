import Foundation
import KoerierCore
import KoerierTransports
import Testing

// Expected signatures were computed with Python's hmac/hashlib (an independent implementation), and the Twilio
// one is the example of Twilio's webhook-security documentation and twilio-python's validation test.

private func form(_ pairs: [(String, String)]) -> [UInt8] {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    return Array(pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
        .joined(separator: "&").utf8)
}

private let formType = ["content-type": "application/x-www-form-urlencoded"]

@Suite("Twilio delivery reports")
struct TwilioDeliveryReportTests {
    static let token = "twilio-auth-token-0123"
    static let url = "https://koerier.example/dlr/tw?reference=act-1"
    static let pairs = [("MessageSid", "SM123"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003"), ("AccountSid", "AC1")]

    @Test("the signature algorithm reproduces Twilio's documented example")
    func documentedExample() {
        let params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
        #expect(TwilioDeliveryReport.signature(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: params, authToken: "12345")
            == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }

    static func request(signature: String?, url: String = url, pairs: [(String, String)] = pairs) -> DeliveryReportRequest {
        var headers = formType
        if let signature { headers["x-twilio-signature"] = signature }
        return DeliveryReportRequest(method: "POST", url: url, query: [("reference", "act-1")], headers: headers, body: form(pairs))
    }

    @Test("a signed undelivered report maps to undelivered with the error code, matched by reference and sid")
    func signedUndelivered() {
        let outcome = TwilioDeliveryReport().read(Self.request(signature: "ccwtFmNVn3P/dh7tV4bvIcyNbb8="), source: "tw", secret: Self.token, now: Date())
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.match == .init(reference: "act-1", providerMessageID: "SM123"))
        #expect(report.report == .undelivered(code: "undelivered 30003", detail: "twilio: undelivered, error 30003"))
    }

    @Test("forged, tampered and unsigned reports are refused", arguments: [
        ("no header", nil, url, pairs),
        ("another token's signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url, pairs),
        ("status changed", "ccwtFmNVn3P/dh7tV4bvIcyNbb8=", url, [("MessageSid", "SM123"), ("MessageStatus", "delivered"), ("ErrorCode", "30003"), ("AccountSid", "AC1")]),
        ("reference in the URL changed", "ccwtFmNVn3P/dh7tV4bvIcyNbb8=", "https://koerier.example/dlr/tw?reference=act-2", pairs),
    ] as [(String, String?, String, [(String, String)])])
    func refused(_ name: String, _ signature: String?, _ url: String, _ pairs: [(String, String)]) {
        let outcome = TwilioDeliveryReport().read(Self.request(signature: signature, url: url, pairs: pairs), source: "tw", secret: Self.token, now: Date())
        guard case .unauthenticated = outcome else { Issue.record("\(name): expected unauthenticated, got \(outcome)"); return }
    }

    @Test("statuses map forward", arguments: [
        ("delivered", DeliveryStatus.Report.delivered(part: nil)),
        ("read", .delivered(part: nil)),
        ("sent", .delayed),
        ("queued", .delayed),
        ("failed", .undelivered(code: "failed", detail: "twilio: failed")),
    ])
    func statuses(_ status: String, _ expected: DeliveryStatus.Report) {
        let pairs = [("MessageSid", "SM9"), ("MessageStatus", status)]
        let signature = TwilioDeliveryReport.signature(url: Self.url, parameters: pairs, authToken: Self.token)
        let outcome = TwilioDeliveryReport().read(Self.request(signature: signature, pairs: pairs), source: "tw", secret: Self.token, now: Date())
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.report == expected)
    }

    @Test("a signed report with a bad ErrorCode or an unknown status is malformed", arguments: [
        [("MessageSid", "SM9"), ("MessageStatus", "delivered"), ("ErrorCode", "99999999999")],
        [("MessageSid", "SM9"), ("MessageStatus", "exploded")],
        [("MessageStatus", "delivered")],
    ])
    func malformed(_ pairs: [(String, String)]) {
        let signature = TwilioDeliveryReport.signature(url: Self.url, parameters: pairs, authToken: Self.token)
        let outcome = TwilioDeliveryReport().read(Self.request(signature: signature, pairs: pairs), source: "tw", secret: Self.token, now: Date())
        guard case .malformed = outcome else { Issue.record("expected malformed, got \(outcome)"); return }
    }
}

@Suite("MessageBird delivery reports")
struct MessageBirdDeliveryReportTests {
    static let key = "messagebird-signing-key"
    static let url = "https://koerier.example/dlr/mb?id=mb-9&reference=act-2&status=delivered"
    // HS256 over {"iss":"MessageBird","nbf":1700000000,"exp":1700000060,"jti":"j1","url_hash":sha256(url)}.
    static let jwt = "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJpc3MiOiAiTWVzc2FnZUJpcmQiLCAibmJmIjogMTcwMDAwMDAwMCwgImV4cCI6IDE3MDAwMDAwNjAsICJqdGkiOiAiajEiLCAidXJsX2hhc2giOiAiNmJjYjYxZGMxNzQzYzZiYTJjMjIzZjkwMjY1ODkzMzlhNjA5Mjg0MTQxMjk2MTExMjExOWQxZTg1NWEyMjdkNiJ9.FYADavkAJ_fnZ54w4XuMYHoqBIkGnX76mcfV4YvHFtQ"
    static let inside = Date(timeIntervalSince1970: 1_700_000_030)

    static func request(jwt: String?, url: String = url) -> DeliveryReportRequest {
        let query = FormFields.decode(String(url.split(separator: "?", maxSplits: 1)[1]))
        return DeliveryReportRequest(method: "GET", url: url, query: query, headers: jwt.map { ["messagebird-signature-jwt": $0] } ?? [:])
    }

    @Test("a signed GET report inside its validity maps to delivered")
    func signedDelivered() {
        let outcome = MessageBirdDeliveryReport().read(Self.request(jwt: Self.jwt), source: "mb", secret: Self.key, now: Self.inside)
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.match == .init(reference: "act-2", providerMessageID: "mb-9"))
        #expect(report.report == .delivered(part: nil))
    }

    @Test("forged, tampered, expired, early and alg-none tokens are refused", arguments: [
        ("no header", nil, url, inside),
        ("another key", jwt, url, inside),
        ("url changed", jwt, "https://koerier.example/dlr/mb?id=mb-9&reference=act-3&status=delivered", inside),
        ("expired (replayed later)", jwt, url, Date(timeIntervalSince1970: 1_700_000_100)),
        ("not yet valid", jwt, url, Date(timeIntervalSince1970: 1_699_999_000)),
        ("alg none", "eyJhbGciOiJub25lIn0." + jwt.split(separator: ".")[1] + ".", url, inside),
        ("garbage", "a.b", url, inside),
    ] as [(String, String?, String, Date)])
    func refused(_ name: String, _ jwt: String?, _ url: String, _ now: Date) {
        let secret = name == "another key" ? "another-signing-key" : Self.key
        let outcome = MessageBirdDeliveryReport().read(Self.request(jwt: jwt, url: url), source: "mb", secret: secret, now: now)
        guard case .unauthenticated = outcome else { Issue.record("\(name): expected unauthenticated, got \(outcome)"); return }
    }
}

@Suite("Vonage delivery reports")
struct VonageDeliveryReportTests {
    static let secret = "vonage-signature-secret"
    static let fields = [
        ("messageId", "0A00000123ABCD1"), ("msisdn", "31612345678"), ("to", "Koerier"), ("status", "delivered"), ("err-code", "0"),
        ("client-ref", "act-3"), ("message-timestamp", "2023-11-14 22:13:20"), ("timestamp", "1700000000"),
    ]
    static let sig = "CB264620B85D866ED21C33880A1330A7EE296915CC83914047CC00C84E14E38A"

    static func request(_ fields: [(String, String)], sig: String?) -> DeliveryReportRequest {
        DeliveryReportRequest(method: "POST", url: "https://koerier.example/dlr/vn", headers: formType, body: form(fields + (sig.map { [("sig", $0)] } ?? [])))
    }

    @Test("the signature matches an independent HMAC-SHA256 of the sorted parameters")
    func signature() {
        #expect(VonageDeliveryReport.signature(Dictionary(uniqueKeysWithValues: Self.fields), secret: Self.secret) == Self.sig)
    }

    @Test("a signed receipt within five minutes maps to delivered for its part")
    func signedDelivered() {
        let outcome = VonageDeliveryReport().read(Self.request(Self.fields, sig: Self.sig.lowercased()), source: "vn", secret: Self.secret,
                                                  now: Date(timeIntervalSince1970: 1_700_000_100))
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.match == .init(reference: "act-3", providerMessageID: "0A00000123ABCD1"))
        #expect(report.report == .delivered(part: "0A00000123ABCD1"))
    }

    @Test("forged, tampered and replayed receipts are refused", arguments: [
        ("no sig", nil, 1_700_000_100.0, false),
        ("wrong sig", "00" + sig.dropFirst(2), 1_700_000_100.0, false),
        ("status tampered", sig, 1_700_000_100.0, true),
        ("replayed an hour later", sig, 1_700_003_600.0, false),
    ] as [(String, String?, Double, Bool)])
    func refused(_ name: String, _ sig: String?, _ now: Double, _ tamper: Bool) {
        var fields = Self.fields
        if tamper { fields[3] = ("status", "failed") }
        let outcome = VonageDeliveryReport().read(Self.request(fields, sig: sig), source: "vn", secret: Self.secret, now: Date(timeIntervalSince1970: now))
        guard case .unauthenticated = outcome else { Issue.record("\(name): expected unauthenticated, got \(outcome)"); return }
    }
}

@Suite("URL-token delivery reports (CM, Spryng, generic http)")
struct TokenDeliveryReportTests {
    static let token = "s3cret-url-token-0123456789"

    @Test("CM status codes map forward", arguments: [
        ("2", DeliveryStatus.Report.delivered(part: nil)),
        ("0", .delayed),
        ("3", .undelivered(code: "statuscode 3 error 5", detail: "cm: failed")),
    ])
    func cm(_ status: String, _ expected: DeliveryStatus.Report) {
        var query = [("reference", "act-4"), ("statuscode", status)]
        if status == "3" { query.append(("errorcode", "5")) }
        let request = DeliveryReportRequest(method: "GET", url: "https://k/dlr/cm", pathToken: Self.token, query: query)
        let outcome = CMDeliveryReport().read(request, source: "cm", secret: Self.token, now: Date())
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.report == expected)
        #expect(report.match.reference == "act-4")
    }

    @Test("Spryng 10 is delivered and 20 undelivered, with ?token=", arguments: [("10", true), ("20", false)])
    func spryng(_ status: String, _ delivered: Bool) {
        let request = DeliveryReportRequest(method: "GET", url: "https://k/dlr/sp", query: [("token", Self.token), ("ID", "991"), ("REFERENCE", "act-5"), ("STATUS", status)])
        let outcome = SpryngDeliveryReport().read(request, source: "sp", secret: Self.token, now: Date())
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        if delivered { #expect(report.report == .delivered(part: nil)) } else { #expect(report.report == .undelivered(code: "status 20", detail: "spryng: not delivered")) }
        #expect(report.match == .init(reference: "act-5", providerMessageID: "991"))
    }

    @Test("the generic kind reads a flat JSON body")
    func genericJSON() {
        let body = Array(#"{"reference":"act-6","status":"undelivered","code":"E12","detail":"absent"}"#.utf8)
        let request = DeliveryReportRequest(method: "POST", url: "https://k/dlr/gw", pathToken: Self.token, headers: ["content-type": "application/json"], body: body)
        let outcome = GenericDeliveryReport().read(request, source: "gw", secret: Self.token, now: Date())
        guard case .report(let report) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        #expect(report.report == .undelivered(code: "undelivered E12", detail: "absent"))
    }

    @Test("a missing or wrong token is refused by every token kind", arguments: ["cm", "spryng", "http"], [nil, "wrong-token", ""] as [String?])
    func refused(_ kind: String, _ token: String?) throws {
        let codec = try #require(DeliveryReportCodecs.codec(kind: kind))
        let request = DeliveryReportRequest(method: "GET", url: "https://k/dlr/x", pathToken: token,
                                            query: [("reference", "a"), ("statuscode", "2"), ("STATUS", "10"), ("status", "delivered")])
        guard case .unauthenticated = codec.read(request, source: "x", secret: Self.token, now: Date()) else { Issue.record("\(kind) accepted a bad token"); return }
    }

    @Test("out-of-range numbers are malformed", arguments: [
        ("cm", [("reference", "a"), ("statuscode", "7")]),
        ("cm", [("reference", "a"), ("statuscode", "99999999999999999999")]),
        ("spryng", [("ID", "1"), ("STATUS", "-10")]),
        ("spryng", [("ID", "1"), ("STATUS", "10"), ("REASONCODE", "12345678")]),
        ("http", [("status", "delivered")]),
    ])
    func malformed(_ kind: String, _ query: [(String, String)]) throws {
        let codec = try #require(DeliveryReportCodecs.codec(kind: kind))
        let request = DeliveryReportRequest(method: "GET", url: "https://k/dlr/x", pathToken: Self.token, query: query)
        guard case .malformed = codec.read(request, source: "x", secret: Self.token, now: Date()) else { Issue.record("\(kind) accepted \(query)"); return }
    }
}

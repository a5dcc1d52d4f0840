import Foundation
import KoerierCore
import Testing
@testable import KoerierTransports

// Pure tests of the SMS provider codecs: the requests they build and the classification of realistic
// provider answers (shapes copied from the provider documentation cited in each provider file).

private let secret = "s3cr3t-T0KEN-9f8e7d"

private func message(
    to: String = "+31612345670",
    text: String = "Herinnering: factuur 2024-001 staat open.",
    unicode: Bool = false,
    reference: String = "act-2024-001"
) -> OutgoingSMS {
    OutgoingSMS(actionID: reference, to: to, from: "Voorbeeld", text: text, unicode: unicode, parts: 1)
}

private func settings(_ base: String, account: String? = nil) -> SMSProviderSettings {
    SMSProviderSettings(baseURL: base, secret: secret, account: account)
}

private func response(_ status: Int, _ body: String = "", headers: [String: String] = [:]) -> HTTPResponseSpec {
    HTTPResponseSpec(status: status, headers: headers, body: Array(body.utf8))
}

private func jsonBody(_ request: HTTPRequestSpec) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(request.body))
    return try #require(object as? [String: Any])
}

private func formBody(_ request: HTTPRequestSpec) -> [String: String] {
    var out: [String: String] = [:]
    for (key, value) in SMSCodecSupport.formDecode(String(decoding: request.body, as: UTF8.self)) { out[key] = value }
    return out
}

private func header(_ request: HTTPRequestSpec, _ name: String) -> String? {
    request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
}

private enum Kind: Equatable { case accepted, retry, provider, permanent }

private func kind(_ outcome: SMSOutcome) -> Kind {
    switch outcome {
    case .accepted: return .accepted
    case .retryLater: return .retry
    case .providerProblem: return .provider
    case .permanent: return .permanent
    }
}

private func messageID(_ outcome: SMSOutcome) -> String? {
    if case .accepted(let id, _) = outcome { return id }
    return nil
}

private func retryAfter(_ outcome: SMSOutcome) -> Int? {
    if case .retryLater(let after, _) = outcome { return after }
    return nil
}

// MARK: - Reference derivation

@Suite struct SMSReferenceTests {
    @Test func identityWhenItFits() {
        #expect(SMSReference.derive("act-2024-001", maxLength: 32) == "act-2024-001")
        #expect(SMSReference.derive(String(repeating: "a", count: 32), maxLength: 32) == String(repeating: "a", count: 32))
    }

    @Test func longIdsAreDerivedToExactlyMaxLength() {
        let id = "invoice-2024-000123.herinnering.sms.debtor-98765-attempt-one"
        for max in [17, 20, 32, 40, 64] where id.count > max {
            let derived = SMSReference.derive(id, maxLength: max)
            #expect(derived.utf8.count == max)
            #expect(derived == SMSReference.derive(id, maxLength: max), "stable")
            #expect(derived.hasPrefix(String(id.prefix(max - 17))))
            #expect(derived.hasSuffix(SMSReference.hex64(SMSReference.fnv1a64(id))))
        }
    }

    @Test func differentIdsGiveDifferentReferences() {
        let a = SMSReference.derive(String(repeating: "x", count: 60) + "-a", maxLength: 32)
        let b = SMSReference.derive(String(repeating: "x", count: 60) + "-b", maxLength: 32)
        #expect(a != b)
        #expect(a.count == 32 && b.count == 32)
    }

    @Test func shortLimitsUseTheHashOnly() {
        let id = "a-rather-long-action-identifier"
        #expect(SMSReference.derive(id, maxLength: 10).count == 10)
        #expect(SMSReference.derive(id, maxLength: 10) == String(SMSReference.hex64(SMSReference.fnv1a64(id)).prefix(10)))
        #expect(SMSReference.derive(id, maxLength: 0) == "")
    }

    @Test func fnv1aKnownVectors() {
        #expect(SMSReference.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(SMSReference.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(SMSReference.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
        #expect(SMSReference.hex64(0xaf63_dc4c_8601_ec8c) == "af63dc4c8601ec8c")
    }

    @Test func everyCodecKeepsWithinItsLimit() throws {
        let longID = "debtor-4711.invoice-2024-000123.tweede-aanmaning.sms.variant-B.attempt-0001-extra-padding-to-exceed-everything-1234567890abcdef"
        for kind in ["messagebird", "cm", "spryng", "vonage"] {
            let codec = try #require(SMSProviders.codec(kind: kind))
            let reference = codec.reference(for: longID)
            #expect(reference.utf8.count <= codec.maxReferenceLength)
            #expect(reference == codec.reference(for: longID))
        }
    }
}

// MARK: - Registry and settings

@Suite struct SMSProvidersRegistryTests {
    @Test func everyKindHasACodec() throws {
        for kind in SMSProviders.kinds {
            let codec = try #require(SMSProviders.codec(kind: kind))
            #expect(codec.kind == kind)
        }
        #expect(SMSProviders.codec(kind: "MessageBird")?.kind == "messagebird")
        #expect(SMSProviders.codec(kind: "carrier-pigeon") == nil)
        #expect(SMSProviders.defaultBaseURL(kind: "messagebird") == "https://rest.messagebird.com")
        #expect(SMSProviders.defaultBaseURL(kind: "http") == nil)
    }

    @Test func settingsNeverPrintTheSecret() {
        let s = SMSProviderSettings(baseURL: "https://x.example", secret: secret, account: "AC123")
        #expect(!s.description.contains(secret))
        #expect(!s.debugDescription.contains(secret))
        #expect(!String(reflecting: s).contains(secret))
        #expect(!"\(s)".contains(secret))
        var dumped = ""
        dump(s, to: &dumped)
        #expect(!dumped.contains(secret))
    }

    @Test func badBaseURLAndEmptySecretAreSettingsErrors() {
        #expect(throws: SMSProviderSettingsError.self) {
            try MessageBirdProvider().request(for: message(), settings: settings("rest.messagebird.com"))
        }
        #expect(throws: SMSProviderSettingsError.self) {
            try SpryngProvider().request(for: message(), settings: SMSProviderSettings(baseURL: "https://x.example", secret: ""))
        }
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_450)  // Wed, 21 Oct 2015 07:27:30 GMT
        #expect(SMSCodecSupport.retryAfter(response(429, headers: ["retry-after": "2"]), now: now) == 2)
        #expect(SMSCodecSupport.retryAfter(response(429, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"]), now: now) == 30)
        #expect(SMSCodecSupport.retryAfter(response(429, headers: ["retry-after": "Wed, 21 Oct 2015 07:00:00 GMT"]), now: now) == 0)
        #expect(SMSCodecSupport.retryAfter(response(429, headers: ["retry-after": "soon"]), now: now) == nil)
        #expect(SMSCodecSupport.retryAfter(response(429), now: now) == nil)
    }
}

// MARK: - MessageBird

@Suite struct MessageBirdCodecTests {
    let codec = MessageBirdProvider()

    @Test func request() throws {
        let r = try codec.request(for: message(), settings: settings("https://rest.messagebird.com/"))
        #expect(r.method == "POST")
        #expect(r.url == "https://rest.messagebird.com/messages")
        #expect(header(r, "Authorization") == "AccessKey " + secret)
        #expect(header(r, "Content-Type") == "application/json")
        let body = try jsonBody(r)
        #expect(body["recipients"] as? [String] == ["31612345670"])
        #expect(body["originator"] as? String == "Voorbeeld")
        #expect(body["body"] as? String == "Herinnering: factuur 2024-001 staat open.")
        #expect(body["reference"] as? String == "act-2024-001")
        #expect(body["datacoding"] as? String == "plain")

        let u = try codec.request(for: message(text: "Betaal € 12,50 — dank u \"snel\"\n", unicode: true), settings: settings("https://rest.messagebird.com"))
        let ubody = try jsonBody(u)
        #expect(ubody["datacoding"] as? String == "unicode")
        #expect(ubody["body"] as? String == "Betaal € 12,50 — dank u \"snel\"\n")
    }

    @Test func classification() {
        let created = """
        {"id":"e8077d803532c0b5937c639b60216938","href":"https://rest.messagebird.com/messages/e8077d803532c0b5937c639b60216938",
         "direction":"mt","type":"sms","originator":"YourName","body":"This is a test message","reference":"act-2024-001",
         "validity":null,"gateway":null,"typeDetails":{},"datacoding":"plain","mclass":1,"scheduledDatetime":null,
         "createdDatetime":"2016-05-03T14:26:57+00:00",
         "recipients":{"totalCount":1,"totalSentCount":1,"totalDeliveredCount":0,"totalDeliveryFailedCount":0,
           "items":[{"recipient":31612345678,"status":"sent","statusDatetime":"2016-05-03T14:26:57+00:00"}]}}
        """
        let ok = codec.classify(response(201, created))
        #expect(kind(ok) == .accepted)
        #expect(messageID(ok) == "e8077d803532c0b5937c639b60216938")

        let auth = codec.classify(response(401, #"{"errors":[{"code":2,"description":"Request not allowed (incorrect access_key)","parameter":"access_key"}]}"#))
        #expect(kind(auth) == .provider)
        #expect(auth.detailText.contains("incorrect access_key"))

        let badNumber = codec.classify(response(422, #"{"errors":[{"code":9,"description":"no (correct) recipients found","parameter":"recipients"}]}"#))
        #expect(kind(badNumber) == .permanent)
        #expect(badNumber.detailText.contains("no (correct) recipients found"))

        let balance = codec.classify(response(402, #"{"errors":[{"code":25,"description":"Not enough balance","parameter":null}]}"#))
        #expect(kind(balance) == .provider)
        let balance422 = codec.classify(response(422, #"{"errors":[{"code":25,"description":"Not enough balance","parameter":null}]}"#))
        #expect(kind(balance422) == .provider)

        let throttled = codec.classify(response(429, "", headers: ["retry-after": "2"]))
        #expect(kind(throttled) == .retry)
        #expect(retryAfter(throttled) == 2)

        #expect(kind(codec.classify(response(500, #"{"errors":[{"code":99,"description":"Internal error","parameter":null}]}"#))) == .retry)
        #expect(kind(codec.classify(response(503, "<html>Service Unavailable</html>"))) == .retry)
        #expect(kind(codec.classify(response(401))) == .provider)
        #expect(kind(codec.classify(response(400, "garbage"))) == .permanent)
    }

    @Test func lookup() throws {
        let r = try #require(codec.lookupRequest(reference: "act-2024-001", settings: settings("https://rest.messagebird.com")))
        #expect(r.method == "GET")
        #expect(r.url == "https://rest.messagebird.com/messages?reference=act-2024-001&limit=20")
        #expect(header(r, "Authorization") == "AccessKey " + secret)

        #expect(codec.classifyLookup(response(200, #"{"offset":0,"limit":20,"count":0,"totalCount":0,"items":[]}"#), reference: "act-2024-001") == .notFound)
        let found = codec.classifyLookup(response(200, """
            {"offset":0,"limit":20,"count":1,"totalCount":1,"items":[{"id":"abc123","reference":"act-2024-001",
             "recipients":{"items":[{"recipient":31612345670,"status":"delivered"}]}}]}
            """), reference: "act-2024-001")
        #expect(found == .found(messageID: "abc123", status: "delivered"))
        // Another action's message is never taken for ours, even when it is the only one listed.
        let other = codec.classifyLookup(response(200, #"{"items":[{"id":"zz","reference":"act-2024-999"}]}"#), reference: "act-2024-001")
        if case .unknown = other {} else { Issue.record("a list with only another reference must be unknown, got \(other)") }
        let ignored = codec.classifyLookup(response(200, #"{"items":[{"id":"a","reference":"x"},{"id":"b","reference":"y"}]}"#), reference: "act-2024-001")
        if case .unknown = ignored {} else { Issue.record("mixed references must be unknown, got \(ignored)") }
        if case .unknown = codec.classifyLookup(response(401, #"{"errors":[{"code":2,"description":"Request not allowed"}]}"#), reference: "act-2024-001") {} else {
            Issue.record("401 lookup must be unknown")
        }
    }
}

// MARK: - CM.com

@Suite struct CMCodecTests {
    let codec = CMProvider()

    @Test func request() throws {
        let r = try codec.request(for: message(), settings: settings("https://gw.messaging.cm.com"))
        #expect(r.method == "POST")
        #expect(r.url == "https://gw.messaging.cm.com/v1.0/message")
        #expect(header(r, "X-CM-PRODUCTTOKEN") == secret)
        let body = try jsonBody(r)
        let messages = try #require(body["messages"] as? [String: Any])
        #expect((messages["authentication"] as? [String: Any])?["producttoken"] as? String == secret)
        let msg = try #require((messages["msg"] as? [[String: Any]])?.first)
        #expect(msg["from"] as? String == "Voorbeeld")
        #expect((msg["to"] as? [[String: Any]])?.first?["number"] as? String == "0031612345670")
        #expect((msg["body"] as? [String: Any])?["type"] as? String == "auto")
        #expect((msg["body"] as? [String: Any])?["content"] as? String == "Herinnering: factuur 2024-001 staat open.")
        #expect(msg["reference"] as? String == "act-2024-001")
        #expect(msg["allowedChannels"] as? [String] == ["SMS"])
        #expect(msg["minimumNumberOfMessageParts"] as? Int == 1)
        #expect(msg["maximumNumberOfMessageParts"] as? Int == 8)
        #expect(msg["dcs"] == nil)

        let long = String(repeating: "r", count: 50)
        let u = try codec.request(for: message(text: "Σας ευχαριστούμε", unicode: true, reference: long), settings: settings("https://gw.cmtelecom.com"))
        let umsg = try #require(((try jsonBody(u))["messages"] as? [String: Any]).flatMap { ($0["msg"] as? [[String: Any]])?.first })
        #expect(umsg["dcs"] as? Int == 8)
        #expect((umsg["reference"] as? String)?.count == 32)
    }

    @Test func classification() {
        let accepted = """
        {"details":"Created 1 message(s)","errorCode":0,"messages":[{"to":"0031612345670","status":"Accepted",
         "reference":"act-2024-001","parts":1,"messageDetails":null,"messageErrorCode":0}]}
        """
        let ok = codec.classify(response(200, accepted))
        #expect(kind(ok) == .accepted)
        #expect(messageID(ok) == nil)

        // Partial rejection: the request had an accepted and a rejected message (docs example).
        let partial = """
        {"details":"Created 1 message(s)","errorCode":201,"messages":[
          {"to":"00447911123456","status":"Accepted","reference":"your_reference_A","parts":1,"messageDetails":null,"messageErrorCode":0},
          {"to":"00447911123457","status":"Rejected","reference":"your_reference_B","parts":0,"messageDetails":"A body without content was found","messageErrorCode":304}]}
        """
        #expect(kind(codec.classify(response(200, partial))) == .accepted)

        // Our single message rejected inside a 200/201 answer.
        let rejectedIn200 = """
        {"details":"Created 0 message(s)","errorCode":201,"messages":[
          {"to":"0031612345674","status":"Rejected","reference":"act","parts":0,"messageDetails":"Gsm '0031612345674' is not a number.","messageErrorCode":303}]}
        """
        let rejected = codec.classify(response(200, rejectedIn200))
        #expect(kind(rejected) == .permanent)
        #expect(rejected.detailText.contains("is not a number"))
        #expect(kind(codec.classify(response(400, rejectedIn200))) == .permanent)

        let auth = codec.classify(response(400, #"{"details":"No account found for the given authentication","errorCode":101,"messages":[]}"#))
        #expect(kind(auth) == .provider)
        #expect(auth.detailText.contains("No account found"))
        #expect(kind(codec.classify(response(401, #"{"details":"No account found for the given authentication","errorCode":101,"messages":[]}"#))) == .provider)

        let balance = codec.classify(response(400, #"{"details":"Insufficient balance.","errorCode":102,"messages":[]}"#))
        #expect(kind(balance) == .provider)

        let blacklisted = codec.classify(response(200, #"{"details":"Created 0 message(s)","errorCode":201,"messages":[{"to":"0031612345679","status":"Rejected","reference":"a","parts":0,"messageDetails":"Blacklisted","messageErrorCode":402}]}"#))
        #expect(kind(blacklisted) == .permanent)

        let throttled = codec.classify(response(429, "Too Many Requests", headers: ["retry-after": "2"]))
        #expect(kind(throttled) == .retry && retryAfter(throttled) == 2)
        #expect(kind(codec.classify(response(500))) == .retry)
        #expect(kind(codec.classify(response(400, #"{"details":"Unknown error","errorCode":999,"messages":[]}"#))) == .retry)
        #expect(codec.lookupRequest(reference: "x", settings: settings("https://gw.messaging.cm.com")) == nil)
    }
}

// MARK: - Spryng

@Suite struct SpryngCodecTests {
    let codec = SpryngProvider()

    @Test func request() throws {
        let r = try codec.request(for: message(), settings: settings("https://rest.spryngsms.com"))
        #expect(r.method == "POST")
        #expect(r.url == "https://rest.spryngsms.com/v1/messages")
        #expect(header(r, "Authorization") == "Bearer " + secret)
        let body = try jsonBody(r)
        #expect(body["encoding"] as? String == "plain")
        #expect(body["body"] as? String == "Herinnering: factuur 2024-001 staat open.")
        #expect(body["route"] as? String == "business")
        #expect(body["originator"] as? String == "Voorbeeld")
        #expect(body["recipients"] as? [String] == ["31612345670"])
        #expect(body["reference"] as? String == "act-2024-001")

        var custom = settings("https://rest.spryngsms.com")
        custom.route = "1234"
        let u = try codec.request(for: message(text: "Привет", unicode: true), settings: custom)
        let ubody = try jsonBody(u)
        #expect(ubody["encoding"] as? String == "unicode")
        #expect(ubody["route"] as? String == "1234")
    }

    @Test func classification() {
        let created = """
        {"id":"9dbc5ffb-7524-4fae-9514-51decd94a44f","encoding":"plain","originator":"Voorbeeld","body":"Herinnering",
         "reference":"act-2024-001","credits":1.0,"scheduled_at":null,"canceled_at":null,
         "created_at":"2024-01-02T10:00:00+00:00","updated_at":"2024-01-02T10:00:00+00:00","links":{}}
        """
        let ok = codec.classify(response(200, created))
        #expect(kind(ok) == .accepted)
        #expect(messageID(ok) == "9dbc5ffb-7524-4fae-9514-51decd94a44f")
        #expect(kind(codec.classify(response(201, created))) == .accepted)

        #expect(kind(codec.classify(response(401, #"{"message":"Unauthenticated."}"#))) == .provider)
        let invalid = codec.classify(response(422, #"{"message":"The given data was invalid.","errors":{"recipients.0":["The recipients.0 format is invalid."]}}"#))
        #expect(kind(invalid) == .permanent)
        #expect(invalid.detailText.contains("recipients.0 format is invalid"))
        #expect(kind(codec.classify(response(402, #"{"message":"Insufficient credits."}"#))) == .provider)
        #expect(kind(codec.classify(response(422, #"{"message":"You do not have enough credits to send this message."}"#))) == .provider)
        let throttled = codec.classify(response(429, #"{"message":"Too Many Attempts."}"#, headers: ["retry-after": "2"]))
        #expect(kind(throttled) == .retry && retryAfter(throttled) == 2)
        #expect(kind(codec.classify(response(500, "Server Error"))) == .retry)
    }

    @Test func lookup() throws {
        let r = try #require(codec.lookupRequest(reference: "act-2024-001", settings: settings("https://rest.spryngsms.com")))
        #expect(r.method == "GET")
        #expect(r.url == "https://rest.spryngsms.com/v1/messages?filters%5Breference%5D=act-2024-001")
        #expect(header(r, "Authorization") == "Bearer " + secret)
        #expect(codec.classifyLookup(response(200, #"{"total":0,"per_page":15,"current_page":1,"last_page":1,"data":[]}"#), reference: "act-2024-001") == .notFound)
        #expect(codec.classifyLookup(response(200, #"{"total":1,"data":[{"id":"9dbc","reference":"act-2024-001","canceled_at":null}]}"#), reference: "act-2024-001")
            == .found(messageID: "9dbc", status: "accepted"))
        if case .unknown = codec.classifyLookup(response(500), reference: "act-2024-001") {} else { Issue.record("500 lookup must be unknown") }
    }
}

// MARK: - Twilio

@Suite struct TwilioCodecTests {
    let codec = TwilioProvider()
    let sid = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"

    @Test func request() throws {
        var s = settings("https://api.twilio.com", account: sid)
        s.statusCallbackURL = "https://hooks.example.nl/sms/status?provider=twilio"
        let r = try codec.request(for: message(), settings: s)
        #expect(r.method == "POST")
        #expect(r.url == "https://api.twilio.com/2010-04-01/Accounts/\(sid)/Messages.json")
        let auth = try #require(header(r, "Authorization"))
        #expect(auth.hasPrefix("Basic "))
        let decoded = String(decoding: Data(base64Encoded: String(auth.dropFirst(6))) ?? Data(), as: UTF8.self)
        #expect(decoded == sid + ":" + secret)
        #expect(header(r, "Content-Type") == "application/x-www-form-urlencoded")
        let form = formBody(r)
        #expect(form["To"] == "+31612345670")
        #expect(form["From"] == "Voorbeeld")
        #expect(form["Body"] == "Herinnering: factuur 2024-001 staat open.")
        #expect(form["StatusCallback"] == "https://hooks.example.nl/sms/status?provider=twilio&reference=act-2024-001")
        #expect(!String(decoding: r.body, as: UTF8.self).contains(secret))

        let plain = try codec.request(for: message(text: "Ünïcødé & +plus", unicode: true), settings: settings("https://api.twilio.com", account: sid))
        #expect(formBody(plain)["Body"] == "Ünïcødé & +plus")
        #expect(formBody(plain)["StatusCallback"] == nil)
    }

    @Test func missingAccountIsASettingsError() {
        do {
            _ = try codec.request(for: message(), settings: settings("https://api.twilio.com"))
            Issue.record("expected a settings error")
        } catch {
            #expect(error.description.contains("Account SID"))
            #expect(!error.description.contains(secret))
        }
    }

    @Test func classification() {
        let created = """
        {"account_sid":"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","api_version":"2010-04-01","body":"Herinnering","date_created":"Thu, 24 Aug 2023 05:01:45 +0000",
         "direction":"outbound-api","error_code":null,"error_message":null,"from":"Voorbeeld","num_segments":"1","price":null,
         "sid":"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","status":"queued","to":"+31612345670",
         "uri":"/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX.json"}
        """
        let ok = codec.classify(response(201, created))
        #expect(kind(ok) == .accepted)
        #expect(messageID(ok) == "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")

        let invalidTo = codec.classify(response(400, #"{"code":21211,"message":"The 'To' number 5551234567 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#))
        #expect(kind(invalidTo) == .permanent)
        #expect(invalidTo.detailText.contains("not a valid phone number"))
        #expect(kind(codec.classify(response(400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}"#))) == .permanent)
        #expect(kind(codec.classify(response(401, #"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#))) == .provider)
        #expect(kind(codec.classify(response(400, #"{"code":21408,"message":"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +31612345670.","status":400}"#))) == .provider)
        #expect(kind(codec.classify(response(403, #"{"code":10001,"message":"Account is not active","status":403}"#))) == .provider)
        let throttled = codec.classify(response(429, #"{"code":20429,"message":"Too Many Requests","status":429}"#, headers: ["retry-after": "2"]))
        #expect(kind(throttled) == .retry && retryAfter(throttled) == 2)
        #expect(kind(codec.classify(response(500, #"{"code":20500,"message":"Internal Server Error","status":500}"#))) == .retry)
        #expect(kind(codec.classify(response(400, #"{"code":21604,"message":"A 'To' phone number is required.","status":400}"#))) == .permanent)
        #expect(codec.lookupRequest(reference: "x", settings: settings("https://api.twilio.com", account: sid)) == nil)
    }
}

// MARK: - Vonage

@Suite struct VonageCodecTests {
    let codec = VonageProvider()

    @Test func request() throws {
        let r = try codec.request(for: message(), settings: settings("https://rest.nexmo.com", account: "abcd1234"))
        #expect(r.method == "POST")
        #expect(r.url == "https://rest.nexmo.com/sms/json")
        #expect(header(r, "Content-Type") == "application/x-www-form-urlencoded")
        let form = formBody(r)
        #expect(form["api_key"] == "abcd1234")
        #expect(form["api_secret"] == secret)
        #expect(form["from"] == "Voorbeeld")
        #expect(form["to"] == "31612345670")
        #expect(form["text"] == "Herinnering: factuur 2024-001 staat open.")
        #expect(form["type"] == "text")
        #expect(form["client-ref"] == "act-2024-001")

        let long = String(repeating: "z", count: 90)
        let u = try codec.request(for: message(text: "こんにちは世界", unicode: true, reference: long), settings: settings("https://rest.nexmo.com", account: "abcd1234"))
        #expect(formBody(u)["type"] == "unicode")
        #expect(formBody(u)["text"] == "こんにちは世界")
        #expect(formBody(u)["client-ref"]?.count == 40)

        #expect(throws: SMSProviderSettingsError.self) {
            try codec.request(for: message(), settings: settings("https://rest.nexmo.com"))
        }
    }

    @Test func classification() {
        let ok = codec.classify(response(200, """
            {"message-count":"1","messages":[{"to":"447700900000","message-id":"0A0000000123ABCD1","status":"0",
             "remaining-balance":"3.14159265","message-price":"0.03330000","network":"12345"}]}
            """))
        #expect(kind(ok) == .accepted)
        #expect(messageID(ok) == "0A0000000123ABCD1")

        let throttledIn200 = codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"1","error-text":"Throughput Rate Exceeded - please wait [ 2 ] and retry"}]}"#))
        #expect(kind(throttledIn200) == .retry)
        #expect(throttledIn200.detailText.contains("Throughput Rate Exceeded"))

        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#))) == .provider)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"9","error-text":"Quota Exceeded - rejected"}]}"#))) == .provider)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"8","error-text":"Account suspended"}]}"#))) == .provider)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"15","error-text":"Illegal Sender Address - rejected"}]}"#))) == .provider)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"3","error-text":"Invalid to param"}]}"#))) == .permanent)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"6","error-text":"Unroutable message - rejected"}]}"#))) == .permanent)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"7","error-text":"Number barred"}]}"#))) == .permanent)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"29","error-text":"Non White-listed Destination - rejected"}]}"#))) == .permanent)
        #expect(kind(codec.classify(response(200, #"{"message-count":"1","messages":[{"status":"5","error-text":"Internal Error"}]}"#))) == .retry)

        // A concatenated text: one entry per part; a failed part fails the message.
        let twoParts = codec.classify(response(200, #"{"message-count":"2","messages":[{"message-id":"A1","status":"0"},{"message-id":"A2","status":"0"}]}"#))
        #expect(kind(twoParts) == .accepted && messageID(twoParts) == "A1")

        let http429 = codec.classify(response(429, "", headers: ["retry-after": "2"]))
        #expect(kind(http429) == .retry && retryAfter(http429) == 2)
        #expect(kind(codec.classify(response(500))) == .retry)
        #expect(kind(codec.classify(response(401, #"{"type":"https://developer.nexmo.com/api-errors#unauthorized","title":"Unauthorized"}"#))) == .provider)
    }
}

// MARK: - Generic HTTP

@Suite struct GenericHTTPCodecTests {
    @Test func jsonTemplate() throws {
        let codec = GenericHTTPProvider()
        let s = SMSProviderSettings(
            baseURL: "https://sms.example.nl/api/",
            secret: secret,
            path: "/v2/send?ref={{reference}}",
            headers: [HTTPHeader("Authorization", "Bearer {{token}}"), HTTPHeader("X-Client", "koerier")],
            bodyTemplate: #"{"msisdn":"{{to_digits}}","sender":"{{ from }}","message":"{{text}}","ref":"{{reference}}","ucs2":{{unicode}},"parts":{{parts}}}"#,
            bodyEncoding: .json
        )
        let text = "Zeg \"hallo\"\nregel 2 \\ € 😀"
        let r = try codec.request(for: message(text: text, unicode: true, reference: "act 1/2"), settings: s)
        #expect(r.method == "POST")
        #expect(r.url == "https://sms.example.nl/api/v2/send?ref=act%201%2F2")
        #expect(header(r, "Authorization") == "Bearer " + secret)
        #expect(header(r, "Content-Type") == "application/json")
        let body = try jsonBody(r)
        #expect(body["msisdn"] as? String == "31612345670")
        #expect(body["sender"] as? String == "Voorbeeld")
        #expect(body["message"] as? String == text)
        #expect(body["ref"] as? String == "act 1/2")
        #expect(body["ucs2"] as? Bool == true)
        #expect(body["parts"] as? Int == 1)
    }

    @Test func formTemplateAndDefaults() throws {
        let codec = GenericHTTPProvider()
        let s = SMSProviderSettings(baseURL: "http://127.0.0.1:9", secret: secret, method: "put", path: "generic/send", bodyEncoding: .form)
        let r = try codec.request(for: message(text: "a&b=c +d"), settings: s)
        #expect(r.method == "PUT")
        #expect(r.url == "http://127.0.0.1:9/generic/send")
        #expect(header(r, "Content-Type") == "application/x-www-form-urlencoded")
        let form = formBody(r)
        #expect(form["to"] == "+31612345670")
        #expect(form["text"] == "a&b=c +d")
        #expect(form["reference"] == "act-2024-001")

        let full = SMSProviderSettings(baseURL: "", secret: secret, path: "https://other.example/send/{{to_digits}}", bodyTemplate: "{}")
        #expect(try codec.request(for: message(), settings: full).url == "https://other.example/send/31612345670")
    }

    @Test func templateErrors() {
        let codec = GenericHTTPProvider()
        let unknown = SMSProviderSettings(baseURL: "https://x.example", secret: secret, path: "/send", bodyTemplate: #"{"t":"{{txet}}"}"#)
        do {
            _ = try codec.request(for: message(), settings: unknown)
            Issue.record("expected a settings error")
        } catch {
            #expect(error.message.contains("{{txet}}"))
            #expect(!error.message.contains(secret))
        }
        #expect(throws: SMSProviderSettingsError.self) {
            try codec.request(for: message(), settings: SMSProviderSettings(baseURL: "https://x.example", secret: secret))
        }
        #expect(throws: SMSProviderSettingsError.self) {
            try codec.request(for: message(), settings: SMSProviderSettings(baseURL: "https://x.example", secret: secret, path: "/s", bodyTemplate: "{{text"))
        }
    }

    @Test func classification() throws {
        let s = SMSProviderSettings(baseURL: "https://x.example", secret: secret, path: "/s", successStatus: 202...202, idJSONPath: "messages.0.id")
        let codec = try #require(SMSProviders.codec(kind: "http", settings: s))
        let ok = codec.classify(response(202, #"{"messages":[{"id":"msg-77","status":"queued"}]}"#))
        #expect(kind(ok) == .accepted && messageID(ok) == "msg-77")
        #expect(kind(codec.classify(response(200, "{}"))) == .provider)   // 2xx but not the configured success
        let throttled = codec.classify(response(429, "", headers: ["retry-after": "2"]))
        #expect(kind(throttled) == .retry && retryAfter(throttled) == 2)
        #expect(kind(codec.classify(response(502))) == .retry)
        #expect(kind(codec.classify(response(401, #"{"error":"invalid token"}"#))) == .provider)
        let bad = codec.classify(response(400, #"{"error":{"message":"invalid msisdn"}}"#))
        #expect(kind(bad) == .permanent && bad.detailText.contains("invalid msisdn"))

        let numericID = GenericHTTPProvider(idJSONPath: "id").classify(response(200, #"{"id":12345}"#))
        #expect(messageID(numericID) == "12345")
    }
}

// MARK: - Secrets never reach `detail`

@Suite struct SecretHygieneTests {
    /// Answers that echo the request (and so the secret) in places a careless codec might copy.
    let echoing: [HTTPResponseSpec] = [
        response(200, #"{"echo":"\#(secret)","api_secret":"\#(secret)"}"#),
        response(201, #"{"id":"x","producttoken":"\#(secret)"}"#),
        response(400, #"{"request":"api_secret=\#(secret)","unknown":"\#(secret)"}"#),
        response(401, "Bad token \(secret)"),
        response(403, #"{"token":"\#(secret)"}"#),
        response(422, "<html>\(secret)</html>"),
        response(429, secret, headers: ["retry-after": "2"]),
        response(500, "stack trace with \(secret)"),
        response(200, #"{"messages":[{"status":"4","api_secret":"\#(secret)"}]}"#),
        response(400, #"{"details":"Created 0","errorCode":101,"messages":[],"messages_auth":{"producttoken":"\#(secret)"}}"#),
    ]

    @Test func noCodecCopiesTheSecretIntoDetail() throws {
        for kind in SMSProviders.kinds {
            let codec = try #require(SMSProviders.codec(kind: kind))
            for r in echoing {
                let outcome = codec.classify(r)
                #expect(!outcome.detailText.contains(secret), "\(kind) \(r.status): \(outcome.detailText)")
                if case .found(_, let status) = codec.classifyLookup(r, reference: "act-2024-001") { #expect(!status.contains(secret)) }
                if case .unknown(let detail) = codec.classifyLookup(r, reference: "act-2024-001") { #expect(!detail.contains(secret)) }
            }
        }
    }

    @Test func redactingIsASecondLineOfDefence() {
        let outcome = SMSOutcome.permanent(detail: "oops \(secret) leaked")
        #expect(outcome.redacting([secret]).detailText == "oops [redacted] leaked")
        #expect(SMSLookupOutcome.unknown(detail: secret).redacting([secret]) == .unknown(detail: "[redacted]"))
    }

    @Test func detailsAreShortSingleLines() throws {
        let long = String(repeating: "lorem ipsum ", count: 100)
        for kind in SMSProviders.kinds {
            let codec = try #require(SMSProviders.codec(kind: kind))
            let outcome = codec.classify(response(400, #"{"message":"\#(long)\nsecond line","errors":[{"code":21,"description":"\#(long)"}],"details":"\#(long)"}"#))
            #expect(outcome.detailText.count <= SMSCodecSupport.detailLimit, "\(kind)")
            #expect(!outcome.detailText.contains("\n"), "\(kind)")
        }
    }
}

@Suite("Answers that must never cause a second send")
struct NoDoubleSendClassificationTests {
    @Test("Vonage: a multi-part text with one part taken and one throttled counts as sent, not as not sent")
    func vonagePartlyAccepted() {
        let outcome = VonageProvider().classify(response(200, """
            {"message-count":"2","messages":[{"to":"31612345670","message-id":"0A01","status":"0"},
             {"to":"31612345670","status":"1","error-text":"Throughput Rate Exceeded"}]}
            """))
        guard case .accepted(let id, let detail) = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
        #expect(id == "0A01")
        #expect(detail.contains("1 of 2 parts"))
    }

    @Test("CM: errorCode 201 without a deciding per-message code is a partial rejection to retry, not a provider problem")
    func cmPartialRejection() {
        let outcome = CMProvider().classify(response(200, #"{"details":"Not all messages were sent","errorCode":201,"messages":[{"to":"0031612345670","status":"Rejected","reference":"x","parts":0,"messageDetails":null}]}"#))
        guard case .retryLater = outcome else {
            Issue.record("expected retryLater, got \(outcome)")
            return
        }
    }

    @Test("a wrong URL (404) or method (405) is a provider problem: pause and fail over, never fail the message", arguments: [404, 405])
    func configurationMistakes(_ status: Int) {
        let outcome = GenericHTTPProvider().classify(response(status, "not here"))
        guard case .providerProblem = outcome else {
            Issue.record("expected providerProblem for \(status), got \(outcome)")
            return
        }
    }
}

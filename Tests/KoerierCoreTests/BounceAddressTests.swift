import Foundation
import Testing
@testable import KoerierCore

private let secret = "0123456789abcdef0123456789abcdef"
private let ids = ["A-1", "A-2026-000123", "x", "abcdefghijklmnopqrstu", "abcdefghijklmnopqrstuv", "héllo-wereld",
                   String(repeating: "long-action-id-", count: 20), "Ünïcode ✓ id with spaces"]

@Suite("BounceAddress (VERP)")
struct BounceAddressTests {
    @Test("every id gives a lower-case address with a local part of at most 64 octets that verifies", arguments: ids)
    func roundTrip(_ id: String) throws {
        let address = BounceAddress.address(actionID: id, domain: "bounces.voorbeeld.nl", secret: secret)
        let local = try #require(address.split(separator: "@").first)
        #expect(local.utf8.count <= 64)
        #expect(address == address.lowercased())
        #expect(local.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D })
        let parsed = try #require(BounceAddress(address: address, domain: "bounces.voorbeeld.nl"))
        #expect(parsed.verify(actionID: id, secret: secret))
        if id.utf8.count <= BounceAddress.maximumInlineIDBytes {
            #expect(parsed.name == .id(id))
        } else {
            #expect(parsed.name == .hash(StableHash.fnv1a64(id)))
        }
        // An MTA that upper-cases (or lower-cases) the address changes nothing.
        let shouted = try #require(BounceAddress(address: "<" + address.uppercased() + ">", domain: "BOUNCES.voorbeeld.NL"))
        #expect(shouted.verify(actionID: id, secret: secret))
    }

    @Test("a token for another id, another secret, or with a changed character verifies nothing")
    func forged() throws {
        let address = BounceAddress.address(actionID: "A-1", domain: "b.example.nl", secret: secret)
        let parsed = try #require(BounceAddress(address: address, domain: "b.example.nl"))
        #expect(!parsed.verify(actionID: "A-2", secret: secret))
        #expect(!parsed.verify(actionID: "A-1", secret: secret + "x"))
        // Flip every character of the token in turn: never a valid token for A-1.
        let local = Array(address.split(separator: "@")[0].utf8)
        for index in BounceAddress.prefix.utf8.count..<local.count {
            var changed = local
            changed[index] = changed[index] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            let text = String(decoding: changed, as: UTF8.self) + "@b.example.nl"
            if let other = BounceAddress(address: text, domain: "b.example.nl") {
                #expect(!other.verify(actionID: "A-1", secret: secret), "\(text)")
                if case .id(let id) = other.name { #expect(!other.verify(actionID: id, secret: secret), "\(text)") }
            }
        }
        // Someone who knows the scheme but not the secret makes a token for A-1.
        let guessed = BounceAddress.address(actionID: "A-1", domain: "b.example.nl", secret: "not the secret at all")
        #expect(BounceAddress(address: guessed, domain: "b.example.nl")?.verify(actionID: "A-1", secret: secret) == false)
    }

    @Test("addresses that are not ours in form are refused", arguments: [
        "debiteuren@voorbeeld.nl", "bounce+@b.example.nl", "bounce+aaaa@b.example.nl", "bounce+a-0123456789abcdef0123@b.example.nl",
        "bounce+zmfxa-0123456789abcdef0123@b.example.nl", "bounce+ae-0123456789abcdef012@b.example.nl",
        "bounce+h12-0123456789abcdef0123@b.example.nl", "bounce+ie-0123456789abcdef0123@b.example.nl",
        "bounce+ae-0123456789abcdef0123@other.example.nl", "bounce+a1-0123456789abcdef0123@b.example.nl",
        String(repeating: "x", count: 400) + "@b.example.nl",
    ])
    func notOurs(_ address: String) {
        #expect(BounceAddress(address: address, domain: "b.example.nl") == nil)
    }

    @Test("base32 decodes what it encodes and refuses non-canonical text")
    func base32() {
        for length in 0...25 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
        #expect(Base32.encode(Array("f".utf8)) == "my")
        #expect(Base32.encode(Array("foobar".utf8)) == "mzxw6ytboi")
        #expect(Base32.decode("mz") == nil)  // non-zero padding bits
        #expect(Base32.decode("m1") == nil)
    }

    @Test("email.bounce: read with its domain and secret, never showing the secret")
    func configuration() throws {
        let folder = try TestSupport.makeTemporaryFolder("koerier-bounce-config")
        defer { TestSupport.remove(folder) }
        try TestSupport.write("email:\n  bounce:\n    domain: Bounces.Voorbeeld.nl\n    secret_env: KOERIER_BOUNCE_SECRET\n", to: "koerier.yaml", under: folder)
        let configuration = try Configuration.load(file: folder + "/koerier.yaml", environment: ["KOERIER_BOUNCE_SECRET": secret])
        let bounce = try #require(configuration.email.bounce)
        #expect(bounce.domain == "bounces.voorbeeld.nl")
        #expect(bounce.secret == secret)
        #expect(!"\(bounce)".contains(secret))
        var dumped = ""
        dump(configuration.email, to: &dumped)
        #expect(!dumped.contains(secret))
        #expect(bounce.envelopeSender(actionID: "A-1").hasPrefix("bounce+a"))
    }

    @Test("email.bounce mistakes are refused with their key path", arguments: [
        ("email:\n  bounce:\n    secret_env: S\n", "email.bounce.domain", "is required"),
        ("email:\n  bounce:\n    domain: nodot\n    secret_env: S\n", "email.bounce.domain", "not a domain name"),
        ("email:\n  bounce:\n    domain: b.example.nl\n", "email.bounce.secret_env", "is required"),
        ("email:\n  bounce:\n    domain: b.example.nl\n    secret: hunter2hunter2hunter2\n", "email.bounce.secret", "secret_env"),
        ("email:\n  bounce:\n    domain: b.example.nl\n    secret_env: UNSET_VARIABLE\n", "email.bounce.secret_env", "not set"),
        ("email:\n  bounce:\n    domain: b.example.nl\n    secret_env: SHORT\n", "email.bounce.secret_env", "shorter than 16"),
        ("email:\n  bounce:\n    domain: b.example.nl\n    secret_env: S\n    domian: x\n", "email.bounce.domian", "is not a known setting"),
    ])
    func broken(_ yaml: String, _ key: String, _ reason: String) throws {
        let folder = try TestSupport.makeTemporaryFolder("koerier-bounce-config")
        defer { TestSupport.remove(folder) }
        try TestSupport.write(yaml, to: "koerier.yaml", under: folder)
        do {
            _ = try Configuration.load(file: folder + "/koerier.yaml", environment: ["S": secret, "SHORT": "short"])
            Issue.record("accepted")
        } catch {
            let problem = error.problems.first { $0.key == key }
            #expect(problem?.reason.contains(reason) == true, "problems were: \(error.description)")
            #expect(!error.description.contains(secret))
        }
    }
}

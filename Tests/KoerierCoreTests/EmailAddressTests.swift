import Testing
@testable import KoerierCore

@Suite("Email addresses")
struct EmailAddressTests {
    @Test("valid addresses are accepted unchanged", arguments: [
        "a@b.nl", "jan.de.vries@example.nl", "j+tag@example.nl", "info@sub.domain.example.co.uk", "a_b-c@x-y.nl",
        "1234@123.nl", "o'brien@example.ie", "x@xn--bcher-kva.example", String(repeating: "a", count: 64) + "@example.nl",
    ])
    func valid(_ raw: String) throws {
        let address = try EmailAddress.parse(raw).get()
        #expect(address.value == raw)
        #expect(address.description == raw)
    }

    @Test("invalid addresses are refused with a reason", arguments: [
        ("", "is empty"),
        ("a@b.nl\r\nBcc: x@y.nl", "line break"),
        ("a@b.nl\n", "line break"),
        ("jan de vries@example.nl", "space"),
        ("jan@example.nl ", "space"),
        ("jan\t@example.nl", "space or control"),
        ("jan.example.nl", "exactly one '@'"),
        ("jan@@example.nl", "exactly one '@'"),
        ("a@b@example.nl", "exactly one '@'"),
        ("@example.nl", "before '@'"),
        (String(repeating: "a", count: 65) + "@example.nl", "too long"),
        (".jan@example.nl", "misplaced dot"),
        ("jan.@example.nl", "misplaced dot"),
        ("jan..de@example.nl", "misplaced dot"),
        ("jan@example", "invalid domain"),
        ("jan@", "invalid domain"),
        ("jan@.example.nl", "invalid domain"),
        ("jan@example..nl", "invalid domain"),
        ("jan@-example.nl", "invalid domain"),
        ("jan@example-.nl", "invalid domain"),
        ("jan@exa_mple.nl", "invalid domain"),
        ("jan@" + String(repeating: "a", count: 64) + ".nl", "invalid domain"),
        ("<jan@example.nl>", "'<'"),
        ("\"jan\"@example.nl", "'\"'"),
        ("jan,piet@example.nl", "','"),
        ("jan;piet@example.nl", "';'"),
        ("jan@[127.0.0.1]", "'['"),
        ("jöelle@example.nl", "non-ASCII"),
        ("jan@exämple.nl", "non-ASCII"),
        (String(repeating: "a", count: 60) + "@" + String(repeating: "b.", count: 100) + "nl", "longer than 254"),
    ])
    func invalid(_ raw: String, reason: String) {
        switch EmailAddress.parse(raw) {
        case .success(let address):
            Issue.record("accepted \(address.value.debugEscaped)")
        case .failure(let error):
            #expect(error.reason.contains(reason), "reason was: \(error.reason)")
        }
    }
}

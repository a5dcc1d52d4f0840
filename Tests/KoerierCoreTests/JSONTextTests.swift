import Testing
@testable import KoerierCore

@Suite("JSON text quoting")
struct JSONTextTests {
    @Test("escapes quotes, backslashes, control characters, DEL and U+2028/9; copies everything else", arguments: [
        ("plain", "\"plain\""),
        ("a\"b\\c", "\"a\\\"b\\\\c\""),
        ("regel 1\nregel 2\r\n\t", "\"regel 1\\nregel 2\\r\\n\\t\""),
        ("\u{1}\u{1F}\u{7F}", "\"\\u0001\\u001f\\u007f\""),
        ("a\u{2028}b\u{2029}c", "\"a\\u2028b\\u2029c\""),
        ("€ 1.234,56 … é 😀 /", "\"€ 1.234,56 … é 😀 /\""),
    ])
    func vectors(input: String, expected: String) {
        #expect(JSONText.quoted(input) == expected)
        var bytes: [UInt8] = []
        JSONText.appendQuoted(input, to: &bytes)
        #expect(bytes == Array(expected.utf8))
    }

    @Test("random text survives a round trip through the project's JSON parser and stays on one line")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1B}", "\u{7F}", "€", "\u{2028}", "\u{2029}", "\u{2026}", "é", "😀", " ", "/"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let quoted = JSONText.quoted(text)
            #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
            let parsed = try JSONParser.parse(Array(("{\"k\":" + quoted + "}").utf8))
            guard case .object(let object) = parsed, case .string(let back)? = object["k"] else {
                Issue.record("did not parse: \(quoted)")
                return
            }
            #expect(back == text)
        }
    }
}

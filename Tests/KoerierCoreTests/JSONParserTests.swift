import Testing
@testable import KoerierCore

@Suite("Strict JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.SyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func syntaxError(_ bytes: [UInt8]) -> JSONParser.SyntaxError? {
        do {
            let value = try JSONParser.parse(bytes)
            Issue.record("parsed unexpectedly: \(value)")
            return nil
        } catch {
            return error
        }
    }

    @Test("number literals are kept exactly as written", arguments: [
        "0", "-0", "1.50", "99.95", "1e3", "-2.5E-7", "12345678901234567890123", "0.1000",
    ])
    func numbersAsText(_ literal: String) throws {
        #expect(try parse("[\(literal)]") == .array([.number(literal)]))
    }

    @Test("malformed numbers are refused", arguments: ["01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "0x10", "NaN", "Infinity"])
    func badNumbers(_ literal: String) {
        #expect(syntaxError(Array("[\(literal)]".utf8)) != nil)
    }

    @Test("literals and structure")
    func structure() throws {
        let value = try parse(#" { "a" : [ true , false , null , { } , [ ] ] , "b" : "" } "#)
        #expect(value == .object(["a": .array([.bool(true), .bool(false), .null, .object([:]), .array([])]), "b": .string("")]))
    }

    @Test("every escape decodes")
    func escapes() throws {
        let value = try parse(#""q\" bs\\ sl\/ b\b f\f n\n r\r t\t e\u00e9 nul\u0000 euro\u20AC""#)
        #expect(value == .string("q\" bs\\ sl/ b\u{8} f\u{C} n\n r\r t\t e\u{E9} nul\u{0} euro€"))
    }

    @Test("raw UTF-8 passes through unchanged")
    func rawUTF8() throws {
        #expect(try parse("\"Joëlle — €1.234,56 😀\"") == .string("Joëlle — €1.234,56 😀"))
    }

    @Test("a surrogate pair becomes one scalar")
    func surrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""x\uD834\uDD1Ey""#) == .string("x\u{1D11E}y"))
    }

    @Test("a lone or mismatched surrogate is an error", arguments: [
        #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ud83d\n""#,
    ])
    func loneSurrogate(_ text: String) {
        let error = syntaxError(Array(text.utf8))
        #expect(error?.reason.contains("lone UTF-16 surrogate") == true, "\(String(describing: error))")
    }

    @Test("an unknown escape and short \\u escapes are errors", arguments: [#""\x""#, #""\u12""#, #""\u12G4""#, #""\'""#])
    func badEscapes(_ text: String) {
        #expect(syntaxError(Array(text.utf8)) != nil)
    }

    @Test("an error names line and column")
    func lineAndColumn() throws {
        let error = try #require(syntaxError(Array("{\n  \"a\": 1,\n  \"b\": @\n}".utf8)))
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(error.reason.contains("'@'"))
        #expect(error.description == "line 3, column 8: \(error.reason)")
    }

    @Test("columns count characters, not UTF-8 bytes")
    func columnCountsCharacters() throws {
        let error = try #require(syntaxError(Array("[\"é€\", @]".utf8)))
        #expect(error.line == 1)
        #expect(error.column == 8)
    }

    @Test("a document that ends early names the place where it ended")
    func truncated() throws {
        let error = try #require(syntaxError(Array("{\"a\": [1,\n2".utf8)))
        #expect(error.line == 2)
        #expect(error.column == 2)
        #expect(error.reason.contains("ends"))
    }

    @Test("a UTF-8 byte-order mark at the start is tolerated")
    func byteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":"b"}"#.utf8)) == .object(["a": .string("b")]))
        #expect(syntaxError(Array("[1]".utf8) + [0xEF, 0xBB, 0xBF]) != nil, "a BOM elsewhere is not whitespace")
    }

    @Test("nesting up to 64 levels is fine, 65 is refused")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(ok) }
        let mixedOK = String(repeating: "{\"a\":[", count: 32) + String(repeating: "]}", count: 32)
        #expect(throws: Never.self) { try parse(mixedOK) }
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(syntaxError(Array(tooDeep.utf8)))
        #expect(error.reason.contains("64"))
        let veryDeep = String(repeating: "[", count: 100_000)
        #expect(syntaxError(Array(veryDeep.utf8))?.reason.contains("64") == true)
    }

    @Test("documents that are not exactly one value are refused", arguments: ["", "   ", "{} {}", "{}x", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "[1 2]"])
    func notOneValue(_ text: String) {
        #expect(syntaxError(Array(text.utf8)) != nil)
    }

    @Test("duplicate keys are refused, even in nested objects")
    func duplicateKeys() {
        #expect(syntaxError(Array(#"{"a":1,"a":1}"#.utf8))?.reason.contains("\"a\" appears twice") == true)
        #expect(syntaxError(Array(#"{"x":{"b":1,"b":2}}"#.utf8))?.reason.contains("\"b\" appears twice") == true)
    }

    @Test("raw control characters and invalid UTF-8 inside strings are refused")
    func rawBytes() {
        #expect(syntaxError(Array("\"a\nb\"".utf8))?.reason.contains("control character") == true)
        #expect(syntaxError([0x22, 0x09, 0x22]) != nil)
        #expect(syntaxError([0x22, 0xFF, 0x22])?.reason.contains("UTF-8") == true)
        #expect(syntaxError([0x22, 0xC3, 0x22]) != nil)
    }
}

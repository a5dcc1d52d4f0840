import Foundation
import Testing
@testable import KoerierCore

// The text rules of an action file (docs/contract.md, "Text in an action file"): the id exactly as the pattern says,
// no invisible or reordering characters in anything a person reads, attachment names that are what they seem,
// and tags bounded because every journal event of the action copies them.

private let email = SampleActions.minimalEmail
private let full = SampleActions.fullEmail

/// Decodes `document` and returns the error, or nil when it decoded.
private func refusal(_ document: JSONValue) -> ActionError? {
    refusal(document.jsonBytes)
}

private func refusal(_ bytes: [UInt8]) -> ActionError? {
    do {
        _ = try ActionDecoder.decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// Code points that hide or reorder text, with their category for the test name.
private let invisibleScalars: [UInt32] = [
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E,   // embeddings and overrides
    0x2066, 0x2067, 0x2068, 0x2069,           // isolates
    0x200E, 0x200F, 0x061C,                   // marks
    0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,   // zero width
    0x00AD, 0xE0041,                          // soft hyphen, a tag character (Cf)
    0x0085, 0x009B,                           // C1 controls
    0x2028, 0x2029,                           // line and paragraph separator
]

/// Every field a person reads as a name, reference or file name, as a JSON path and the document it lives in.
private let textFields: [(path: String, document: JSONValue)] = [
    ("recipient.name", email),
    ("debtor.name", email),
    ("debtor.contact", email),
    ("debtor.customer_number", email),
    ("sender.name", full),
    ("sender.title", full),
    ("payment.reference", full),
    ("invoices.0.number", email),
    ("attachments.0.filename", full),
    ("attachments.0.path", full),
]

/// The decoder's name for a JSON path (`invoices.0.number` -> `invoices[0].number`).
private func fieldName(_ path: String) -> String {
    path.replacingOccurrences(of: ".0.", with: "[0].")
}

@Suite("Action text rules")
struct ActionTextRulesTests {
    @Test("an id with surrounding or inner white space is refused, never trimmed",
          arguments: [" act-1", "act-1 ", "\tact-1", "act-1\t", "act 1", "  "])
    func idIsNotTrimmed(_ id: String) throws {
        let error = try #require(refusal(email.setting("id", .string(id))))
        #expect(error.field == "id")
        // A tab is a control character, refused as such; spaces fail the id pattern.
        #expect(error.reason.contains("1 to 128 characters") || error.reason.contains("control character U+0009"), "\(error.reason)")
    }

    @Test("an invisible or reordering character is refused in every name, reference and file name",
          arguments: invisibleScalars)
    func invisibleCharactersAreRefused(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        let code = TextCheck.codePoint(scalar)
        for (path, document) in textFields {
            let text = path.hasSuffix("name") && path.hasPrefix("attachments") || path.hasSuffix("path")
                ? "factuur\(Character(scalar))fdp.pdf" : "Kees\(Character(scalar))Smit"
            let error = try #require(refusal(document.setting(path, .string(text))), "\(path) accepted \(code)")
            #expect(error.field == fieldName(path), "\(path): \(error)")
            #expect(error.reason.contains(code), "\(path): \(error.reason)")
            #expect(!error.reason.unicodeScalars.contains(scalar), "the reason must not carry the character itself")
        }
    }

    @Test("factuur\\u202efdp.exe, written as a JSON escape, is refused naming the path and U+202E")
    func rightToLeftOverrideInAFilename() throws {
        let document = full.jsonText.replacingOccurrences(of: "\"Aanmaning oktober.pdf\"", with: #""factuur\u202efdp.exe""#)
        let error = try #require(refusal(Array(document.utf8)))
        #expect(error.field == "attachments[1].filename")
        #expect(error.reason.contains("U+202E"))
        #expect(error.reason.contains("RIGHT-TO-LEFT OVERRIDE"))
    }

    @Test("names in other scripts and with accents stay accepted",
          arguments: ["Joëlle de Vries", "Ağaoğlu Ltd. Şti.", "محمد العلي", "José Ñúñez", "Zoë 🙂 Bakker", "O'Brien-Smit"])
    func honestNamesAreAccepted(_ name: String) throws {
        let action = try ActionDecoder.decode(email.setting("recipient.name", .string(name)).setting("debtor.name", .string(name)).jsonBytes)
        #expect(action.recipient.name == name)
        #expect(action.debtor.name == name)
    }

    @Test("an attachment's file name must end in .pdf and name no folder",
          arguments: ["factuur.exe", "factuur.pdf.exe", "factuur", ".pdf", "facturen\\F1.pdf", "a/b.pdf", "say \"hi\".pdf"])
    func filenames(_ filename: String) throws {
        let document = full.setting("attachments", .array([.object(["path": .string("facturen/F1.pdf"), "filename": .string(filename)])]))
        let error = try #require(refusal(document))
        #expect(error.field == "attachments[0].filename", "\(error)")
    }

    @Test("a file name ending in .pdf or .PDF is accepted, and the default comes from the path")
    func goodFilenames() throws {
        let document = full.setting("attachments", .array([
            .object(["path": .string("facturen/F1.pdf"), "filename": .string("Factuur F1.PDF")]),
            .object(["path": .string("facturen/F2.pdf")]),
        ]))
        let action = try ActionDecoder.decode(document.jsonBytes)
        #expect(action.attachments.map(\.filename) == ["Factuur F1.PDF", "F2.pdf"])
    }

    @Test("tags: at most 32, keys of [A-Za-z0-9._-]{1,64}, values of at most 256 bytes without control characters")
    func tagBounds() throws {
        func tags(_ pairs: [(String, String)]) -> JSONValue {
            email.setting("tags", .object(Dictionary(uniqueKeysWithValues: pairs.map { ($0.0, JSONValue.string($0.1)) })))
        }
        let most = (0..<32).map { ("t\($0)", "v") }
        #expect(try ActionDecoder.decode(tags(most).jsonBytes).tags.count == 32)
        let longest = [(String(repeating: "k", count: 64), String(repeating: "é", count: 128))]
        #expect(try ActionDecoder.decode(tags(longest).jsonBytes).tags.count == 1)

        let cases: [(JSONValue, String, String)] = [
            (tags(most + [("t32", "v")]), "tags", "at most 32"),
            (tags([(String(repeating: "k", count: 65), "v")]), "tags", "1 to 64 characters"),
            (tags([("batch nr", "v")]), "tags", "1 to 64 characters"),
            (tags([("", "v")]), "tags", "1 to 64 characters"),
            (tags([("k\u{202E}", "v")]), "tags", "\\u{202E}"),
            (tags([("batch", String(repeating: "é", count: 129))]), "tags.batch", "258 bytes"),
            (tags([("batch", "7\n8")]), "tags.batch", "line feed"),
            (tags([("batch", "7\u{200B}")]), "tags.batch", "U+200B"),
        ]
        for (document, field, reason) in cases {
            let error = try #require(refusal(document), "accepted \(field) \(reason)")
            #expect(error.field == field, "\(error)")
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(!error.reason.contains("\u{202E}"), "the reason must not carry the character itself")
        }
    }

    @Test("a 900 KB tag map is refused before anything is journalled")
    func hugeTagMap() throws {
        let value = String(repeating: "x", count: 200)
        let document = email.setting("tags", .object(Dictionary(uniqueKeysWithValues: (0..<4_500).map { ("tag\($0)", JSONValue.string(value)) })))
        #expect(document.jsonBytes.count > 900_000)
        let error = try #require(refusal(document))
        #expect(error.field == "tags")
        #expect(error.reason.contains("4500 tags"))
    }

    @Test("an email address with a bidirectional character names its code point, not the character")
    func emailAddressReason() throws {
        let error = try #require(refusal(email.setting("recipient.email", .string("kees\u{202E}@example.nl"))))
        #expect(error.field == "recipient.email")
        #expect(error.reason.contains("U+202E"))
        #expect(!error.reason.unicodeScalars.contains("\u{202E}"))
    }
}

/// The free `data` object is printed in letters (`data.kostenbeding`, instalment notes): the same text rule.
@Suite("Text rules in data")
struct DataTextRulesTests {
    @Test("a bidi override or zero-width character anywhere in data is refused with its path", arguments: [
        ("data.kostenbeding", JSONValue.object(["kostenbeding": .string("art. 5 \u{202E}VA")])),
        ("data.termijnen[1]", .object(["termijnen": .array([.string("1 december"), .string("1 ja\u{200B}nuari")])])),
        ("data.regeling.notitie", .object(["regeling": .object(["notitie": .string("\u{2066}x")])])),
    ])
    func refused(path: String, data: JSONValue) {
        let error = refusal(SampleActions.minimalEmail.setting("data", data))
        #expect(error?.field == path, "\(String(describing: error))")
    }

    @Test("plain text, numbers and a line break in a note are accepted")
    func accepted() {
        let data = JSONValue.object(["kostenbeding": .string("art. 5 van onze algemene voorwaarden"), "notitie": .string("regel 1\nregel 2"),
                                     "aantal": .number("3"), "ok": .bool(true)])
        #expect(refusal(SampleActions.minimalEmail.setting("data", data)) == nil)
    }
}

import Foundation
import Testing
@testable import KoerierCore

/// One document the decoder must refuse, with the field path it must name and a fragment of its reason.
struct BrokenAction: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    let field: String
    let reason: String

    init(_ label: String, _ document: JSONValue, field: String, reason: String) {
        self.label = label
        self.bytes = document.jsonBytes
        self.field = field
        self.reason = reason
    }

    init(_ label: String, raw: [UInt8], field: String, reason: String) {
        self.label = label
        self.bytes = raw
        self.field = field
        self.reason = reason
    }

    var testDescription: String { label }
}

private let email = SampleActions.minimalEmail
private let sms = SampleActions.minimalSMS

private let brokenActions: [BrokenAction] = [
    BrokenAction("unknown top-level field (typo recipeint)", email.setting("recipeint", .object(["name": .string("X")])),
                 field: "recipeint", reason: "is not a known field"),
    BrokenAction("unknown field in debtor", email.setting("debtor.nickname", .string("Kees")),
                 field: "debtor.nickname", reason: "is not a known field"),
    BrokenAction("unknown field in an invoice", email.setting("invoices.0.vat", .string("21.00")),
                 field: "invoices[0].vat", reason: "is not a known field"),
    BrokenAction("version 2", email.setting("version", .number("2")), field: "version", reason: "must be 1"),
    BrokenAction("version as a string", email.setting("version", .string("1")), field: "version", reason: "found a string"),
    BrokenAction("missing version", email.setting("version", nil), field: "version", reason: "is required"),
    BrokenAction("missing id", email.setting("id", nil), field: "id", reason: "is required"),
    BrokenAction("id with a slash", email.setting("id", .string("abc/def")), field: "id", reason: "1 to 128 characters"),
    BrokenAction("id with a space", email.setting("id", .string("abc def")), field: "id", reason: "1 to 128 characters"),
    BrokenAction("id of 129 characters", email.setting("id", .string(String(repeating: "a", count: 129))),
                 field: "id", reason: "1 to 128 characters"),
    BrokenAction("id '..'", email.setting("id", .string("..")), field: "id", reason: "1 to 128 characters"),
    BrokenAction("channel fax", email.setting("channel", .string("fax")), field: "channel", reason: "must be \"email\" or \"sms\""),
    BrokenAction("money as a float 99.95", email.setting("invoices.0.amount", .number("99.95")),
                 field: "invoices[0].amount", reason: "is the number 99.95; money must be a string"),
    BrokenAction("money with a decimal comma", email.setting("invoices.0.amount", .string("12,50")),
                 field: "invoices[0].amount", reason: "\"12,50\" is not an amount"),
    BrokenAction("money with three decimals", email.setting("invoices.0.open", .string("1.234")),
                 field: "invoices[0].open", reason: "\"1.234\" is not an amount"),
    BrokenAction("money that is not a number", email.setting("collection_costs", .string("abc")),
                 field: "collection_costs", reason: "\"abc\" is not an amount"),
    BrokenAction("money as true", email.setting("invoices.0.amount", .bool(true)),
                 field: "invoices[0].amount", reason: "must be an amount string"),
    BrokenAction("negative collection costs", email.setting("collection_costs", .string("-1.00")),
                 field: "collection_costs", reason: "may not be negative"),
    BrokenAction("missing recipient", email.setting("recipient", nil), field: "recipient", reason: "is required"),
    BrokenAction("recipient is a string", email.setting("recipient", .string("kees@example.nl")),
                 field: "recipient", reason: "must be an object"),
    BrokenAction("email with CR/LF header injection", email.setting("recipient.email", .string("a@b.nl\r\nBcc: x@y.nl")),
                 field: "recipient.email", reason: "line break"),
    BrokenAction("email with a space", email.setting("recipient.email", .string("kees smit@example.nl")),
                 field: "recipient.email", reason: "space"),
    BrokenAction("email without @", email.setting("recipient.email", .string("kees.example.nl")),
                 field: "recipient.email", reason: "exactly one '@'"),
    BrokenAction("email missing on an email action", email.setting("recipient.email", nil),
                 field: "recipient.email", reason: "is required"),
    BrokenAction("sender email invalid", email.setting("sender", .object(["name": .string("S"), "email": .string("s@x")])),
                 field: "sender.email", reason: "invalid domain"),
    BrokenAction("sms without phone", sms.setting("recipient.phone", nil), field: "recipient.phone", reason: "is required"),
    BrokenAction("sms with an invalid phone", sms.setting("recipient.phone", .string("12345")),
                 field: "recipient.phone", reason: "is not a valid phone number"),
    BrokenAction("invoices empty", email.setting("invoices", .array([])), field: "invoices", reason: "at least one invoice"),
    BrokenAction("invoices not a list", email.setting("invoices", .object([:])), field: "invoices", reason: "must be a list of invoices"),
    BrokenAction("open larger than amount", email.setting("invoices.0.open", .string("100.00")),
                 field: "invoices[0].open", reason: "is more than the invoice amount 99.95"),
    BrokenAction("invoice date that does not exist", email.setting("invoices.0.date", .string("2026-02-30")),
                 field: "invoices[0].date", reason: "is not a date"),
    BrokenAction("invoice number null", email.setting("invoices.0.number", .null),
                 field: "invoices[0].number", reason: "is required"),
    BrokenAction("not_before without offset", email.setting("not_before", .string("2026-11-22T09:00:00")),
                 field: "not_before", reason: "RFC 3339"),
    BrokenAction("expires_at before not_before",
                 email.setting("not_before", .string("2026-11-22T09:00:00+01:00")).setting("expires_at", .string("2026-11-22T07:59:59Z")),
                 field: "expires_at", reason: "is not after not_before"),
    BrokenAction("expires_at equal to not_before",
                 email.setting("not_before", .string("2026-11-22T09:00:00+01:00")).setting("expires_at", .string("2026-11-22T08:00:00Z")),
                 field: "expires_at", reason: "is not after not_before"),
    BrokenAction("attachment leaving the root", email.setting("attachments", .array([.object(["path": .string("../etc/passwd.pdf")])])),
                 field: "attachments[0].path", reason: "'..'"),
    BrokenAction("attachment with an absolute path", email.setting("attachments", .array([.object(["path": .string("/etc/passwd.pdf")])])),
                 field: "attachments[0].path", reason: "absolute path"),
    BrokenAction("attachment that is not a PDF",
                 email.setting("attachments", .array([.object(["path": .string("ok.pdf")]), .object(["path": .string("facturen/F1.docx")])])),
                 field: "attachments[1].path", reason: "not a PDF"),
    BrokenAction("attachment filename with a slash",
                 email.setting("attachments", .array([.object(["path": .string("a.pdf"), "filename": .string("x/y.pdf")])])),
                 field: "attachments[0].filename", reason: "may not contain"),
    BrokenAction("attachments on an sms", sms.setting("attachments", .array([.object(["path": .string("a.pdf")])])),
                 field: "attachments", reason: "an SMS cannot carry attachments"),
    BrokenAction("tags with a number value", email.setting("tags", .object(["batch": .number("7")])),
                 field: "tags.batch", reason: "must be a string, found the number 7"),
    BrokenAction("data that is a list", email.setting("data", .array([])), field: "data", reason: "must be an object"),
    BrokenAction("duplicate key", raw: Array(#"{"version":1,"id":"a","id":"b"}"#.utf8), field: "", reason: "appears twice"),
    BrokenAction("truncated JSON", raw: Array(email.jsonText.dropLast(5).utf8), field: "", reason: "not valid JSON"),
    BrokenAction("a list instead of an object", raw: Array("[]".utf8), field: "", reason: "must be an object"),
    BrokenAction("1 MiB + 1 bytes", raw: paddedDocument(to: ActionDecoder.maximumSize + 1), field: "", reason: "at most 1 MiB"),
    BrokenAction("control character in the recipient name", email.setting("recipient.name", .string("Kees\u{7}Smit")),
                 field: "recipient.name", reason: "control character U+0007"),
    BrokenAction("line feed in the debtor name", email.setting("debtor.name", .string("Kees\nSmit")),
                 field: "debtor.name", reason: "line feed"),
    BrokenAction("blank recipient name", email.setting("recipient.name", .string("   ")), field: "recipient.name", reason: "is empty"),
    BrokenAction("tone boos", email.setting("tone", .string("boos")), field: "tone", reason: "must be one of"),
    BrokenAction("stage with uppercase", email.setting("stage", .string("Herinnering")), field: "stage", reason: "lower-case letters"),
    BrokenAction("stage with a space", email.setting("stage", .string("tweede aanmaning")), field: "stage", reason: "lower-case letters"),
    BrokenAction("segment with a slash", email.setting("segment", .string("../x")), field: "segment", reason: "lower-case letters"),
    BrokenAction("debtor type person", email.setting("debtor.type", .string("person")), field: "debtor.type", reason: "\"consumer\" or \"business\""),
    BrokenAction("currency in lowercase", email.setting("currency", .string("eur")), field: "currency", reason: "ISO 4217"),
    BrokenAction("payment link over http", email.setting("payment", .object(["url": .string("http://betalen.example.nl/x")])),
                 field: "payment.url", reason: "https://"),
    BrokenAction("IBAN with a wrong check digit", email.setting("payment", .object(["iban": .string("NL92ABNA0417164300")])),
                 field: "payment.iban", reason: "not a valid IBAN"),
    BrokenAction("variant in lowercase", email.setting("variant", .string("a")), field: "variant", reason: "variant name"),
]

/// A valid document padded with spaces to exactly `size` bytes.
private func paddedDocument(to size: Int) -> [UInt8] {
    let bytes = SampleActions.minimalEmail.jsonBytes
    return bytes + [UInt8](repeating: 0x20, count: size - bytes.count)
}

@Suite("Action decoding")
struct ActionDecoderTests {
    @Test("a complete action decodes every field")
    func fullAction() throws {
        let action = try ActionDecoder.decode(SampleActions.fullEmail.jsonBytes)
        #expect(action.id == "act-2026.11_0001")
        #expect(action.channel == .email)
        #expect(action.stage == "tweede-aanmaning")
        #expect(action.segment == "hoog-risico")
        #expect(action.tone == .dringend)
        // 2026-11-22T09:00:00+01:00 = 2026-11-22T08:00:00Z = 1795334400.
        #expect(action.notBefore == Date(timeIntervalSince1970: 1_795_334_400))
        // 2026-11-29T17:30:00.500Z = 1795973400.5.
        #expect(action.expiresAt == Date(timeIntervalSince1970: 1_795_973_400.5))
        #expect(action.recipient.name == "Joëlle de Vries")
        #expect(action.recipient.email?.value == "joelle.devries@example.nl")
        #expect(action.recipient.phone?.e164 == "+31612345678")
        let sender = try #require(action.sender)
        #expect(sender.name == "Sanne Bakker")
        #expect(sender.email?.value == "sanne.bakker@voorbeeld.nl")
        #expect(sender.phone?.e164 == "+31201234567")
        #expect(sender.title == "Accountmanager")
        #expect(action.debtor == Action.Debtor(id: "D-10042", name: "De Vries Installatie B.V.", type: .business,
                                               contact: "mevrouw De Vries", customerNumber: "K-10042"))
        #expect(action.invoices.count == 2)
        #expect(action.invoices[0] == Action.Invoice(
            number: "F2026-0815", date: CalendarDate(year: 2026, month: 10, day: 1), dueDate: CalendarDate(year: 2026, month: 10, day: 31),
            amount: Money(cents: 123_456), open: Money(cents: 100_050)))
        #expect(action.invoices[1].amount == Money(cents: -5_000))
        #expect(action.invoices[1].open == Money(cents: -5_000))
        #expect(action.totalOpen == Money(cents: 95_050))
        #expect(action.currency == "EUR")
        #expect(action.payment == Action.Payment(url: "https://betalen.voorbeeld.nl/p/F2026-0815", reference: "F2026-0815",
                                                 iban: "NL91 ABNA 0417 1643 00"))
        #expect(action.collectionCosts == Money(cents: 4_000))
        #expect(action.attachments == [
            Action.Attachment(path: "facturen/F2026-0815.pdf", filename: "F2026-0815.pdf"),
            Action.Attachment(path: "aanmaning/brief.PDF", filename: "Aanmaning oktober.pdf"),
        ])
        #expect(action.data == ["dossier": .string("X-77"), "kansen": .number("3"), "vip": .bool(true)])
        #expect(action.variant == "B")
        #expect(action.tags == ["campaign": "najaar-2026", "batch": "7"])
    }

    @Test("a minimal action gets the documented defaults")
    func defaults() throws {
        let action = try ActionDecoder.decode(SampleActions.minimalEmail.jsonBytes)
        #expect(action.segment == "standaard")
        #expect(action.tone == .zakelijk)
        #expect(action.currency == "EUR")
        #expect(action.notBefore == nil)
        #expect(action.expiresAt == nil)
        #expect(action.sender == nil)
        #expect(action.payment == nil)
        #expect(action.collectionCosts == nil)
        #expect(action.attachments.isEmpty)
        #expect(action.data.isEmpty)
        #expect(action.variant == nil)
        #expect(action.tags.isEmpty)
        #expect(action.recipient.phone == nil)
    }

    @Test("a minimal SMS action decodes with its phone in E.164")
    func minimalSMS() throws {
        let action = try ActionDecoder.decode(SampleActions.minimalSMS.jsonBytes)
        #expect(action.channel == .sms)
        #expect(action.recipient.phone?.e164 == "+31612345678")
        #expect(action.recipient.email == nil)
    }

    @Test("null counts as absent for optional fields")
    func nullIsAbsent() throws {
        let document = SampleActions.minimalEmail.setting("sender", .null).setting("tone", .null).setting("tags", .null)
        let action = try ActionDecoder.decode(document.jsonBytes)
        #expect(action.sender == nil)
        #expect(action.tone == .zakelijk)
        #expect(action.tags.isEmpty)
    }

    @Test("names are trimmed of surrounding spaces")
    func trimming() throws {
        let action = try ActionDecoder.decode(SampleActions.minimalEmail.setting("recipient.name", .string("  Kees Smit\t")).jsonBytes)
        #expect(action.recipient.name == "Kees Smit")
    }

    @Test("a document of exactly 1 MiB is still accepted")
    func exactlyOneMiB() throws {
        let bytes = paddedDocument(to: ActionDecoder.maximumSize)
        #expect(bytes.count == 1_048_576)
        let action = try ActionDecoder.decode(bytes)
        #expect(action.id == "min-1")
    }

    @Test("an id of exactly 128 characters is accepted")
    func longestID() throws {
        let id = String(repeating: "a", count: 127) + "Z"
        let action = try ActionDecoder.decode(SampleActions.minimalEmail.setting("id", .string(id)).jsonBytes)
        #expect(action.id == id)
    }

    @Test("a broken document is refused with the field path and reason", arguments: brokenActions)
    func broken(_ testCase: BrokenAction) {
        do {
            let action = try ActionDecoder.decode(testCase.bytes)
            Issue.record("decoded unexpectedly: \(action.id)")
        } catch {
            #expect(error.field == testCase.field, "reason was: \(error.reason)")
            #expect(error.reason.contains(testCase.reason), "reason was: \(error.reason)")
            #expect(!error.reason.contains("\n") && !error.reason.contains("\r"), "the reason must stay on one line")
        }
    }

    @Test("invoices whose open amounts cannot be summed in 64 bits are refused when decoding")
    func totalOverflow() {
        let invoice: JSONValue = .object([
            "number": .string("F1"), "date": .string("2026-10-05"), "due_date": .string("2026-11-04"),
            "amount": .string("999999999999999.99"), "open": .string("999999999999999.99"),
        ])
        let document = SampleActions.minimalEmail.setting("invoices", .array(Array(repeating: invoice, count: 100)))
        do {
            // Do not touch totalOpen here: with the bug present it traps on overflow.
            let action = try ActionDecoder.decode(document.jsonBytes)
            Issue.record("decoded \(action.invoices.count) invoices whose total overflows Int64 cents")
        } catch {
            #expect(error.field.hasPrefix("invoices"), "\(error)")
        }
    }

    @Test("peekID reads the id of an otherwise invalid document, but not an invalid id")
    func peekID() {
        #expect(ActionDecoder.peekID(SampleActions.minimalEmail.setting("version", .number("2")).jsonBytes) == "min-1")
        #expect(ActionDecoder.peekID(SampleActions.minimalEmail.setting("id", .string("a/b")).jsonBytes) == nil)
        #expect(ActionDecoder.peekID(Array("{".utf8)) == nil)
    }

    @Test("the example actions decode, except the one with a float amount")
    func examples() throws {
        let folder = TestSupport.packageRoot + "/Examples/actions"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 6)
        for name in names {
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + name).map { [UInt8]($0) })
            let result = Result { () throws(ActionError) -> Action in try ActionDecoder.decode(bytes) }
            if name.contains("invalid-float") {
                guard case .failure(let error) = result else { Issue.record("\(name) decoded"); continue }
                #expect(error.field == "invoices[0].amount")
            } else {
                if case .failure(let error) = result { Issue.record("\(name): \(error)") }
            }
        }
    }
}

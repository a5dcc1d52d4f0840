import Testing
import KoerierCore

@Suite("Phone numbers")
struct PhoneNumberTests {
    @Test("accepts Dutch and international notations", arguments: [
        // input, E.164, Dutch display, Dutch mobile
        ("+31612345678", "+31612345678", "06-12 34 56 78", true),
        ("+31 6 1234 5678", "+31612345678", "06-12 34 56 78", true),
        ("+31 (0)6 12345678", "+31612345678", "06-12 34 56 78", true),
        ("0031612345678", "+31612345678", "06-12 34 56 78", true),
        ("0031 (0)6-12345678", "+31612345678", "06-12 34 56 78", true),
        ("06-12345678", "+31612345678", "06-12 34 56 78", true),
        ("0612345678", "+31612345678", "06-12 34 56 78", true),
        ("06 12 34 56 78", "+31612345678", "06-12 34 56 78", true),
        ("(06) 12345678", "+31612345678", "06-12 34 56 78", true),
        ("\u{00A0}06.12.34.56.78 ", "+31612345678", "06-12 34 56 78", true),
        ("06-87654321", "+31687654321", "06-87 65 43 21", true),
        ("06-61234567", "+31661234567", "06-61 23 45 67", false),
        ("020-1234567", "+31201234567", "020-123 45 67", false),
        ("+31 20 123 4567", "+31201234567", "020-123 45 67", false),
        ("+31 (0)20 123 4567", "+31201234567", "020-123 45 67", false),
        ("(020) 123 45 67", "+31201234567", "020-123 45 67", false),
        ("013-5551234", "+31135551234", "013-555 12 34", false),
        ("070/3456789", "+31703456789", "070-345 67 89", false),
        ("0512-123456", "+31512123456", "0512-12 34 56", false),
        ("0229 123 456", "+31229123456", "0229-12 34 56", false),
        ("085-1234567", "+31851234567", "085-123 45 67", false),
        ("088 123 45 67", "+31881234567", "088-123 45 67", false),
        ("0800-1234", "+318001234", "0800-1234", false),
        ("0800 1234567", "+318001234567", "0800-123 45 67", false),
        ("0900-1234567", "+319001234567", "0900-123 45 67", false),
        ("+32 470 12 34 56", "+32470123456", "+32 470123456", false),
        ("0049 30 1234567", "+49301234567", "+49 301234567", false),
        ("+1 (415) 555-0100", "+14155550100", "+1 4155550100", false),
        ("+352 621 123 456", "+352621123456", "+352 621123456", false),
        ("+44 (0)20 7946 0958", "+442079460958", "+44 2079460958", false),
    ])
    func accepts(_ input: String, _ e164: String, _ display: String, _ mobile: Bool) throws {
        let number = try PhoneNumber.parse(input)
        #expect(number.e164 == e164)
        #expect(number.description == e164)
        #expect(number.display == display)
        #expect(number.isDutchMobile == mobile)
    }

    @Test("rejects what is not a usable number, saying why", arguments: [
        ("", "is empty"),
        ("   ", "has no digits"),
        ("+", "has no digits after '+'"),
        ("00", "has no digits after '00'"),
        ("06-1234567a", "contains a letter ('a')"),
        ("O612345678", "contains a letter ('O')"),
        ("06-12345678 ext 12", "contains a letter ('e')"),
        ("06123456789", "has 9 digits after 06; a Dutch mobile number has 8"),
        ("0612345", "has 5 digits after 06; a Dutch mobile number has 8"),
        ("+316123456789", "has 9 digits after +31 6; a Dutch mobile number has 8"),
        ("612345678", "does not start with 0, + or 00"),
        ("+31 06 12345678", "has a 0 after country code 31"),
        ("+31 20 123456", "country code 31 needs 9 national digits; there are 8"),
        ("+31", "country code 31 needs 9 national digits; there are none"),
        ("020-123456", "has 9 digits; a Dutch number has 10"),
        ("020-12345678", "has 11 digits; a Dutch number has 10"),
        ("0", "has no digits after the leading 0"),
        ("0800-123456", "has 6 digits after 0800; a 0800 number has 4 or 7"),
        ("0612345678\r\n", "contains a line break"),
        ("06\n12345678", "contains a line break"),
        ("06\t12345678", "contains the invisible character U+0009"),
        ("+44 12 34", "has 6 digits after '+'; an international number has 8 to 15"),
        ("+1234567890123456", "has 16 digits after '+'"),
        ("+0612345678", "has a country code starting with 0 after '+'"),
        ("000612345678", "has a country code starting with 0 after '00'"),
        ("06-1234+5678", "has a '+' that is not at the start"),
        ("++31612345678", "has a '+' that is not at the start"),
        ("06 (1234 5678", "has a '(' without a matching ')'"),
        ("06) 12345678", "has a ')' without a matching '('"),
        ("+31 ((0)6) 12345678", "has nested parentheses"),
        ("+31 () 612345678", "has empty parentheses"),
        ("06#12345678", "contains '#'"),
        ("٠٦١٢٣٤٥٦٧٨", "contains a digit that is not 0–9"),
        (String(repeating: "0", count: 41), "is 41 characters long; a phone number is at most 40"),
    ])
    func rejects(_ input: String, _ reason: String) {
        do throws(PhoneNumberError) {
            let number = try PhoneNumber.parse(input)
            Issue.record("\(input.debugDescription) was accepted as \(number.e164)")
        } catch {
            #expect(error.input == input)
            #expect(error.reason.contains(reason), "reason was: \(error.reason)")
            #expect(error.description.contains(input.debugDescription))
        }
    }

    @Test("national form needs the default country NL", arguments: ["BE", "DE"])
    func otherDefaultCountry(_ country: String) throws {
        #expect(throws: PhoneNumberError.self) { try PhoneNumber.parse("0612345678", defaultCountry: country) }
        let international = try PhoneNumber.parse("+32 470 12 34 56", defaultCountry: country)
        #expect(international.e164 == "+32470123456")
    }

    @Test("different notations of one number are equal and hash alike")
    func equality() throws {
        let numbers = try ["06-12345678", "+31 6 1234 5678", "0031 (0)6 12345678"].map { try PhoneNumber.parse($0) }
        #expect(Set(numbers).count == 1)
        #expect(try PhoneNumber.parse("06-12345678") != PhoneNumber.parse("06-12345679"))
    }
}

@Suite("SMS sender ids")
struct SenderIDTests {
    @Test("accepts alphanumeric ids up to 11 and numeric ids up to 16 digits", arguments: [
        "Koerier", "VoorbeeldBV", "Incasso 24", "3D Bank", "K", "+31612345678", "0612345678", "1234567890123456",
        "+1234567890123456",
    ])
    func accepts(_ id: String) {
        #expect(SenderID.validate(id) == nil)
    }

    @Test("rejects other ids, saying why", arguments: [
        ("", "the sender id is empty"),
        ("VoorbeeldBV1", "'VoorbeeldBV1' has 12 characters; an alphanumeric sender id has at most 11"),
        ("Koerier&Co", "'Koerier&Co' contains '&'; an alphanumeric sender id allows only A–Z, a–z, 0–9 and space"),
        ("Koerier-BV", "contains '-'"),
        ("Café", "contains 'é'"),
        ("Koe\nrier", "'Koe\\u{A}rier' contains U+000A"),
        ("12345678901234567", "'12345678901234567' has 17 digits; a numeric sender id has at most 16"),
        ("+12345678901234567", "has 17 digits"),
        ("+", "'+' alone is not a sender id"),
        ("+31 6 1234", "has ' ' after the '+'"),
        ("06 1234", "'06 1234' has no letter"),
        (" Koerier", "' Koerier' starts with a space"),
        ("Koerier ", "'Koerier ' ends with a space"),
    ])
    func rejects(_ id: String, _ reason: String) {
        let result = SenderID.validate(id)
        #expect(result?.contains(reason) == true, "reason was: \(result ?? "nil")")
    }
}

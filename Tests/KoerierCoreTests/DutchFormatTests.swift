import Testing
import KoerierCore

@Suite("DutchFormat")
struct DutchFormatTests {
    private static func date(_ iso: String) -> CalendarDate {
        CalendarDate(iso: iso) ?? CalendarDate(year: 1, month: 1, day: 1)
    }

    @Test("amount in euros", arguments: [
        (Int64(0), "€ 0,00"),
        (5, "€ 0,05"),
        (50, "€ 0,50"),
        (100, "€ 1,00"),
        (99_999, "€ 999,99"),
        (100_000, "€ 1.000,00"),
        (123_456, "€ 1.234,56"),
        (-1_250, "-€ 12,50"),
        (-5, "-€ 0,05"),
        (100_000_000, "€ 1.000.000,00"),
        (123_456_789, "€ 1.234.567,89"),
        (Int64.max, "€ 92.233.720.368.547.758,07"),
        (Int64.min, "-€ 92.233.720.368.547.758,08"),
    ])
    func amountEUR(cents: Int64, expected: String) {
        let text = DutchFormat.amount(Money(cents: cents))
        #expect(text == expected)
        #expect(!text.unicodeScalars.contains("\u{00A0}"))
    }

    @Test("amount in other currencies", arguments: [
        ("USD", Int64(123_456), "USD 1.234,56"),
        ("USD", -500, "-USD 5,00"),
        ("GBP", 1, "GBP 0,01"),
        ("eur", 123_456, "€ 1.234,56"),
        ("EUR", 1_000, "€ 10,00"),
    ])
    func amountOther(currency: String, cents: Int64, expected: String) {
        #expect(DutchFormat.amount(Money(cents: cents), currency: currency) == expected)
    }

    @Test("amount from a parsed decimal string", arguments: [
        ("1234.56", "€ 1.234,56"),
        ("1234.5", "€ 1.234,50"),
        ("0.1", "€ 0,10"),
        ("-12.00", "-€ 12,00"),
        ("999999.99", "€ 999.999,99"),
    ])
    func amountParsed(input: String, expected: String) throws {
        let money = try #require(Money(input))
        #expect(DutchFormat.amount(money) == expected)
    }

    @Test("long date", arguments: [
        ("2026-11-22", "22 november 2026"),
        ("2026-01-01", "1 januari 2026"),
        ("2026-02-09", "9 februari 2026"),
        ("2026-03-05", "5 maart 2026"),
        ("2026-04-30", "30 april 2026"),
        ("2026-05-01", "1 mei 2026"),
        ("2026-06-15", "15 juni 2026"),
        ("2026-07-04", "4 juli 2026"),
        ("2026-08-31", "31 augustus 2026"),
        ("2026-09-10", "10 september 2026"),
        ("2026-10-03", "3 oktober 2026"),
        ("2028-02-29", "29 februari 2028"),
        ("2026-12-31", "31 december 2026"),
    ])
    func longDate(iso: String, expected: String) {
        #expect(DutchFormat.longDate(Self.date(iso)) == expected)
    }

    @Test("short date", arguments: [
        ("2026-11-22", "22-11-2026"),
        ("2026-01-05", "05-01-2026"),
        ("2026-09-30", "30-09-2026"),
        ("2027-12-01", "01-12-2027"),
    ])
    func shortDate(iso: String, expected: String) {
        #expect(DutchFormat.shortDate(Self.date(iso)) == expected)
    }

    @Test("IBAN display", arguments: [
        ("NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"),
        ("nl91abna0417164300", "NL91 ABNA 0417 1643 00"),
        ("NL91 ABNA 0417 1643 00", "NL91 ABNA 0417 1643 00"),
        ("  NL91ABNA 04171643 00 ", "NL91 ABNA 0417 1643 00"),
        ("NL91\tABNA\u{00A0}0417164300", "NL91 ABNA 0417 1643 00"),
        ("BE68539007547034", "BE68 5390 0754 7034"),
        ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
        ("", ""),
    ])
    func ibanDisplay(raw: String, expected: String) {
        #expect(DutchFormat.iban(raw) == expected)
    }

    @Test("IBAN validity", arguments: [
        ("NL91ABNA0417164300", true),
        ("NL91 ABNA 0417 1643 00", true),
        ("nl91 abna 0417 1643 00", true),
        ("NL02ABNA0123456789", true),
        ("NL20INGB0001234567", true),
        ("GB82 WEST 1234 5698 7654 32", true),
        ("DE89 3704 0044 0532 0130 00", true),
        ("BE68 5390 0754 7034", true),
        ("FR14 2004 1010 0505 0001 3M02 606", true),
        ("LU28 0019 4006 4475 0000", true),
        ("NO93 8601 1117 947", true),
        ("NL91ABNA0417164301", false),   // last digit changed
        ("NL19ABNA0417164300", false),   // check digits swapped
        ("NL91ABNA041716430", false),    // too short for NL
        ("NL58ABNA041716430", false),    // mod-97 correct, but 17 characters for NL (18)
        ("NL33ABNA04171643000", false),  // mod-97 correct, but 19 characters for NL
        ("NL91-ABNA-0417-1643-00", false),
        ("91NLABNA0417164300", false),
        ("NLAAABNA0417164300", false),
        ("NL91ÄBNA0417164300", false),
        ("", false),
        ("NL", false),
    ])
    func ibanValidity(raw: String, valid: Bool) {
        #expect(DutchFormat.isValidIBAN(raw) == valid)
    }

    @Test("days overdue", arguments: [
        ("2026-11-01", "2026-11-22", 21),
        ("2026-11-22", "2026-11-22", 0),
        ("2026-11-23", "2026-11-22", 0),
        ("2026-12-31", "2027-01-01", 1),
        ("2028-02-28", "2028-03-01", 2),  // leap year
        ("2027-02-28", "2027-03-01", 1),
        ("2025-11-22", "2026-11-22", 365),
    ])
    func daysOverdue(due: String, today: String, expected: Int) {
        #expect(DutchFormat.daysOverdue(due: Self.date(due), today: Self.date(today)) == expected)
    }

    @Test("pay-by date skips weekends", arguments: [
        ("2026-11-06", 14, "2026-11-20"),  // Friday + 14 = Friday
        ("2026-11-07", 14, "2026-11-23"),  // lands on Saturday 21st -> Monday 23rd
        ("2026-11-08", 14, "2026-11-23"),  // lands on Sunday 22nd -> Monday 23rd
        ("2026-11-09", 14, "2026-11-23"),  // Monday stays
        ("2026-11-22", 0, "2026-11-23"),   // today is Sunday
        ("2026-12-17", 14, "2026-12-31"),  // Thursday, across no weekend
        ("2026-12-19", 14, "2027-01-04"),  // Saturday 2027-01-02 -> Monday, across the year
        ("2026-11-20", 7, "2026-11-27"),
    ])
    func payBy(today: String, days: Int, expected: String) {
        let result = DutchFormat.payBy(today: Self.date(today), days: days)
        #expect(result == Self.date(expected))
        #expect((1...5).contains(result.isoWeekday))
    }

    @Test("day counts", arguments: [
        (1, "1 dag"),
        (14, "14 dagen"),
        (0, "0 dagen"),
        (2, "2 dagen"),
        (-1, "-1 dag"),
        (30, "30 dagen"),
    ])
    func dayCounts(n: Int, expected: String) {
        #expect(DutchFormat.days(n) == expected)
    }
}

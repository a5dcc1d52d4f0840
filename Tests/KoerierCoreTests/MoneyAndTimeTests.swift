import Foundation
import Testing
@testable import KoerierCore

@Suite("Money")
struct MoneyTests {
    @Test("valid amounts parse to exact cents", arguments: [
        ("0", Int64(0)), ("0.00", 0), ("0.01", 1), ("0.1", 10), ("0.10", 10), ("1", 100), ("1234.56", 123_456),
        ("1234.5", 123_450), ("1234", 123_400), ("99.95", 9_995), ("007.50", 750), ("-12.00", -1_200), ("-0.05", -5),
        ("-0", 0), ("999999999999.99", 99_999_999_999_999),
    ])
    func valid(_ text: String, cents: Int64) {
        #expect(Money(text)?.cents == cents)
    }

    @Test("invalid amounts are refused", arguments: [
        "", "-", ".", ".5", "-.5", "1.", "1.234", "12,50", "1,234.56", "abc", "1e3", " 12", "12 ", "+12", "1.2.3",
        "--1", "1_000", "١٢", "１２", "1234567890123456", "1000000000000", "12.-5", "0x10", "€12",
    ])
    func invalid(_ text: String) {
        #expect(Money(text) == nil)
    }

    @Test("description is the canonical machine form", arguments: [
        ("1234.5", "1234.50"), ("1234", "1234.00"), ("0.1", "0.10"), ("007.05", "7.05"), ("-0.05", "-0.05"), ("-12", "-12.00"),
        ("-0", "0.00"), ("99.95", "99.95"),
    ])
    func description(_ text: String, canonical: String) {
        #expect(Money(text)?.description == canonical)
    }

    @Test("description parses back to the same amount, negatives included")
    func roundTrip() {
        let samples: [Int64] = Array(-1_005...1_005) + [99_999_999_999_999, -99_999_999_999_999, 123_456_789, -99]
        for cents in samples {
            let money = Money(cents: cents)
            #expect(Money(money.description) == money, "\(cents)")
        }
    }

    @Test("arithmetic and ordering are exact")
    func arithmetic() throws {
        let a = try #require(Money("0.10")), b = try #require(Money("0.20")), c = try #require(Money("0.30"))
        #expect(a + b == c)
        #expect(c - a - b == .zero)
        #expect(Money("-1.00")! < .zero)
        #expect(Money("1.01")! > Money("1.00")!)
    }

    @Test("Codable uses the string form")
    func codable() throws {
        let data = try JSONEncoder().encode([Money(cents: -1_234_56)])
        #expect(String(decoding: data, as: UTF8.self) == #"["-1234.56"]"#)
        #expect(try JSONDecoder().decode([Money].self, from: Data(#"["12.5"]"#.utf8)) == [Money(cents: 1_250)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Money].self, from: Data(#"["12,50"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Money].self, from: Data("[12.5]".utf8)) }
    }
}

@Suite("RFC 3339 times")
struct RFC3339Tests {
    // 2026-11-22T08:30:00Z
    static let reference: TimeInterval = 1_795_336_200

    @Test("instants with an offset parse to the right moment", arguments: [
        ("2026-11-22T09:30:00+01:00", 0.0),
        ("2026-11-22T08:30:00Z", 0),
        ("2026-11-22T08:30:00z", 0),
        ("2026-11-22t08:30:00Z", 0),
        ("2026-11-22 08:30:00Z", 0),
        ("2026-11-22T03:30:00-05:00", 0),
        ("2026-11-22T14:00:00+05:30", 0),
        ("2026-11-22T08:30:00.250Z", 0.25),
        ("2026-11-22T09:30:00.5+01:00", 0.5),
        ("2026-11-22T08:30:00+00:00", 0),
        ("2026-11-22T08:30:00-00:00", 0),
        ("2026-11-23T00:30:00+16:00", 0),
        ("2026-11-22T00:00:00+01:00", -34_200),
    ])
    func parse(_ text: String, offsetFromReference: TimeInterval) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(date.timeIntervalSince1970 == Self.reference + offsetFromReference)
    }

    @Test("fractions of a second keep their milliseconds", arguments: ["001", "010", "123", "250", "499", "500", "555", "789", "999"])
    func fractionalMilliseconds(_ millis: String) throws {
        let date = try #require(RFC3339.parse("2026-11-22T08:30:00.\(millis)Z"))
        #expect(RFC3339.format(date) == "2026-11-22T08:30:00.\(millis)Z")
    }

    @Test("malformed or offset-less times are refused", arguments: [
        "", "2026-11-22", "2026-11-22T09:00:00", "2026-11-22T09:00:00.123", "2026-02-30T09:00:00Z", "2025-02-29T09:00:00Z",
        "2026-13-01T09:00:00Z", "2026-00-10T09:00:00Z", "2026-11-00T09:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T09:60:00Z",
        "2026-11-22T09:00Z", "2026-11-22T09:00:00+0100", "2026-11-22T09:00:00+01", "2026-11-22T09:00:00+24:00",
        "2026-11-22T09:00:00+01:60", "2026-11-22T09:00:00Z ", " 2026-11-22T09:00:00Z", "2026-11-22T09:00:00.Z",
        "2026/11/22T09:00:00Z", "2026-11-22X09:00:00Z", "26-11-22T09:00:00Z", "2026-11-22T09:00:00CET", "2026-11-22T09:00:00ZZ",
    ])
    func invalid(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("leap days exist only in leap years")
    func leapDays() {
        #expect(RFC3339.parse("2024-02-29T12:00:00Z") != nil)
        #expect(RFC3339.parse("2000-02-29T12:00:00Z") != nil)
        #expect(RFC3339.parse("1900-02-29T12:00:00Z") == nil)
    }

    @Test("format gives UTC with milliseconds", arguments: [
        (1_795_336_200.0, "2026-11-22T08:30:00.000Z"),
        (1_795_336_200.25, "2026-11-22T08:30:00.250Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (1_735_689_599.5, "2024-12-31T23:59:59.500Z"),
    ])
    func format(_ seconds: TimeInterval, expected: String) {
        #expect(RFC3339.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("format and parse round-trip to the millisecond")
    func roundTrip() throws {
        for step in stride(from: 0, to: 100_000, by: 997) {
            let date = Date(timeIntervalSince1970: Self.reference + Double(step) * 3_600.001)
            let text = RFC3339.format(date)
            let back = try #require(RFC3339.parse(text))
            #expect(RFC3339.format(back) == text)
            #expect(abs(back.timeIntervalSince(date)) < 0.001)
        }
    }

    @Test("utcDay is the UTC calendar day", arguments: [
        ("2026-11-22T00:30:00+01:00", "2026-11-21"),
        ("2026-11-22T23:59:59Z", "2026-11-22"),
        ("1969-12-31T23:59:59Z", "1969-12-31"),
    ])
    func utcDay(_ text: String, day: String) throws {
        #expect(RFC3339.utcDay(try #require(RFC3339.parse(text))).description == day)
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("known day numbers", arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-03-01", 11_017), ("2000-02-29", 11_016), ("2026-11-22", 20_779),
        ("0001-01-01", -719_162), ("9999-12-31", 2_932_896),
    ])
    func knownDayNumbers(_ iso: String, number: Int) throws {
        let date = try #require(CalendarDate(iso: iso))
        #expect(date.dayNumber == number)
        #expect(CalendarDate(dayNumber: number) == date)
    }

    @Test("dayNumber and init(dayNumber:) round-trip day by day from 1899 to 2101")
    func roundTripRange() {
        var date = CalendarDate(year: 1899, month: 1, day: 1)
        var number = date.dayNumber
        while date.year <= 2101 {
            // The next day by calendar rules.
            var next = CalendarDate(year: date.year, month: date.month, day: date.day + 1)
            if next.day > CalendarDate.daysIn(month: next.month, year: next.year) {
                next = next.month == 12 ? CalendarDate(year: next.year + 1, month: 1, day: 1) : CalendarDate(year: next.year, month: next.month + 1, day: 1)
            }
            #expect(next.dayNumber == number + 1, "\(date) -> \(next)")
            #expect(CalendarDate(dayNumber: number + 1) == next)
            date = next
            number += 1
            if next.dayNumber != number { break }
        }
        #expect(date == CalendarDate(year: 2102, month: 1, day: 1))
    }

    @Test("isoWeekday for known dates", arguments: [
        ("1970-01-01", 4), ("1969-12-31", 3), ("2000-02-29", 2), ("2024-12-25", 3), ("2026-11-22", 7),
        ("2026-11-23", 1), ("2026-11-28", 6), ("1900-01-01", 1), ("1582-10-15", 5),
    ])
    func isoWeekday(_ iso: String, weekday: Int) throws {
        #expect(try #require(CalendarDate(iso: iso)).isoWeekday == weekday)
    }

    @Test("ISO parsing checks that the day exists", arguments: [
        ("2024-02-29", true), ("2025-02-29", false), ("1900-02-29", false), ("2000-02-29", true), ("2026-04-31", false),
        ("2026-12-31", true), ("2026-4-01", false), ("2026-04-1", false), ("26-04-01", false), ("2026-04-01T00:00", false),
        ("2026-00-01", false), ("2026-13-01", false), ("+026-04-01", false), ("2026-04-01 ", false),
    ])
    func isoParsing(_ iso: String, valid: Bool) {
        #expect((CalendarDate(iso: iso) != nil) == valid)
        if valid { #expect(CalendarDate(iso: iso)?.description == iso) }
    }

    @Test("adding days and days(since:) agree across month and year ends")
    func arithmetic() {
        let start = CalendarDate(year: 2026, month: 12, day: 20)
        #expect(start.adding(days: 14) == CalendarDate(year: 2027, month: 1, day: 3))
        #expect(start.adding(days: -51) == CalendarDate(year: 2026, month: 10, day: 30))
        #expect(CalendarDate(year: 2027, month: 1, day: 3).days(since: start) == 14)
        #expect(CalendarDate(year: 2024, month: 3, day: 1).days(since: CalendarDate(year: 2024, month: 2, day: 28)) == 2)
    }
}

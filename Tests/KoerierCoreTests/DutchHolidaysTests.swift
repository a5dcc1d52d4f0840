import Testing
import KoerierCore

@Suite("DutchHolidays")
struct DutchHolidaysTests {
    private static func date(_ iso: String) -> CalendarDate {
        CalendarDate(iso: iso) ?? CalendarDate(year: 1, month: 1, day: 1)
    }

    private static func listing(_ year: Int) -> [String] {
        DutchHolidays.holidays(in: year).map { "\($0.date) \($0.name)" }
    }

    @Test("all holidays of 2026 with exact dates, sorted")
    func holidays2026() {
        #expect(Self.listing(2026) == [
            "2026-01-01 Nieuwjaarsdag",
            "2026-04-03 Goede Vrijdag",
            "2026-04-06 Tweede Paasdag",
            "2026-04-27 Koningsdag",
            "2026-05-05 Bevrijdingsdag",
            "2026-05-14 Hemelvaartsdag",
            "2026-05-25 Tweede Pinksterdag",
            "2026-12-25 Eerste Kerstdag",
            "2026-12-26 Tweede Kerstdag",
        ])
        #expect(Self.date("2026-04-27").isoWeekday == 1)  // Koningsdag 2026 is a Monday
    }

    @Test("all holidays of 2027 with exact dates, sorted")
    func holidays2027() {
        #expect(Self.listing(2027) == [
            "2027-01-01 Nieuwjaarsdag",
            "2027-03-26 Goede Vrijdag",
            "2027-03-29 Tweede Paasdag",
            "2027-04-27 Koningsdag",
            "2027-05-05 Bevrijdingsdag",
            "2027-05-06 Hemelvaartsdag",
            "2027-05-17 Tweede Pinksterdag",
            "2027-12-25 Eerste Kerstdag",
            "2027-12-26 Tweede Kerstdag",
        ])
        #expect(Self.date("2027-04-27").isoWeekday == 2)  // a Tuesday
    }

    @Test("Koningsdag moves to Saturday 26 April when 27 April is a Sunday", arguments: [
        (2025, "2025-04-26"),
        (2014, "2014-04-26"),
        (2026, "2026-04-27"),
        (2031, "2031-04-26"),
    ])
    func kingsDay(year: Int, expected: String) {
        let kingsDay = DutchHolidays.holidays(in: year).first { $0.name == "Koningsdag" }?.date
        #expect(kingsDay == Self.date(expected))
        #expect(DutchHolidays.isHoliday(Self.date(expected)))
    }

    @Test("Easter Sunday matches known dates", arguments: [
        "1818-03-22", "1900-04-15", "1943-04-25", "2000-04-23", "2008-03-23", "2011-04-24",
        "2019-04-21", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2028-04-16",
        "2030-04-21", "2038-04-25", "2285-03-22",
    ])
    func easter(iso: String) {
        let expected = Self.date(iso)
        #expect(DutchHolidays.easterSunday(in: expected.year) == expected)
    }

    @Test("every Easter from 1900 to 2199 is a Sunday between 22 March and 25 April")
    func easterRange() {
        for year in 1900...2199 {
            let easter = DutchHolidays.easterSunday(in: year)
            #expect(easter.isoWeekday == 7, "\(easter)")
            #expect(easter >= CalendarDate(year: year, month: 3, day: 22), "\(easter)")
            #expect(easter <= CalendarDate(year: year, month: 4, day: 25), "\(easter)")
        }
    }

    @Test("every year from 1900 to 2199 has nine sorted holidays in that year, Goede Vrijdag two days before Easter")
    func listShape() {
        for year in 1900...2199 {
            let dates = DutchHolidays.holidays(in: year).map(\.date)
            #expect(dates.count == 9)
            #expect(DutchHolidays.holidays(in: year).first { $0.name == "Goede Vrijdag" }?.date == DutchHolidays.easterSunday(in: year).adding(days: -2))
            #expect(dates == dates.sorted())
            #expect(dates.allSatisfy { $0.year == year })
        }
    }

    @Test("Hemelvaartsdag and Bevrijdingsdag can share 5 May (2005), both listed")
    func sharedDate() {
        let may5 = DutchHolidays.holidays(in: 2005).filter { $0.date == Self.date("2005-05-05") }.map(\.name)
        #expect(may5 == ["Bevrijdingsdag", "Hemelvaartsdag"])
    }

    @Test("days that are not Atw holidays", arguments: [
        "2026-04-05",  // eerste Paasdag
        "2026-05-24",  // eerste Pinksterdag
        "2025-04-27",  // the Sunday Koningsdag moved away from
        "2026-01-02", "2026-12-24", "2026-12-31", "2026-04-28",
    ])
    func notHolidays(iso: String) {
        #expect(!DutchHolidays.isHoliday(Self.date(iso)))
    }

    @Test("isHoliday agrees with the list for 2026 and 2027")
    func isHolidayMatchesList() {
        for year in [2026, 2027] {
            let listed = Set(DutchHolidays.holidays(in: year).map(\.date))
            var day = CalendarDate(year: year, month: 1, day: 1)
            while day.year == year {
                #expect(DutchHolidays.isHoliday(day) == listed.contains(day), "\(day)")
                day = day.adding(days: 1)
            }
        }
    }
}

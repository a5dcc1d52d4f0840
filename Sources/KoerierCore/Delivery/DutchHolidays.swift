/// The general holidays of the Algemene termijnenwet (art. 3), on which no dunning contact goes out.
///
/// Listed: Nieuwjaarsdag, Goede Vrijdag (equated by art. 3 lid 2), tweede Paasdag, Hemelvaartsdag,
/// tweede Pinksterdag, Koningsdag, 5 mei (Bevrijdingsdag, every year) and both Kerstdagen. The first
/// Paas- and Pinksterdag are not in the list (they are Sundays anyway). Days the government equates
/// under lid 3 are `EquatedDays`; `DutchCalendar` combines both with what ops configure.
/// Koningsdag follows today's rule (27 April, or 26 April when the 27th is a Sunday) for every
/// year; earlier Koninginnedag dates (before 2014) are not modelled.
public struct DutchHolidays: Sendable {
    /// Easter Sunday of `year` by the anonymous Gregorian computus (Meeus/Jones/Butcher); meaningful from 1583.
    public static func easterSunday(in year: Int) -> CalendarDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDate(year: year, month: month, day: day)
    }

    /// The Atw holidays of `year` with their Dutch names, sorted by date (two may share a date, e.g. 5 May 2005).
    public static func holidays(in year: Int) -> [(date: CalendarDate, name: String)] {
        let easter = easterSunday(in: year)
        let kingsDay = CalendarDate(year: year, month: 4, day: 27)
        let list: [(date: CalendarDate, name: String)] = [
            (CalendarDate(year: year, month: 1, day: 1), "Nieuwjaarsdag"),
            (easter.adding(days: -2), "Goede Vrijdag"),
            (easter.adding(days: 1), "Tweede Paasdag"),
            (kingsDay.isoWeekday == 7 ? kingsDay.adding(days: -1) : kingsDay, "Koningsdag"),
            (CalendarDate(year: year, month: 5, day: 5), "Bevrijdingsdag"),
            (easter.adding(days: 39), "Hemelvaartsdag"),
            (easter.adding(days: 50), "Tweede Pinksterdag"),
            (CalendarDate(year: year, month: 12, day: 25), "Eerste Kerstdag"),
            (CalendarDate(year: year, month: 12, day: 26), "Tweede Kerstdag"),
        ]
        // Stable sort: entries on the same date keep the order above.
        return list.enumerated()
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)
    }

    /// Whether `date` is one of the Atw holidays (Goede Vrijdag included).
    public static func isHoliday(_ date: CalendarDate) -> Bool {
        holidays(in: date.year).contains { $0.date == date }
    }
}

/// Days the government equates with the general holidays under art. 3 lid 3 Algemene termijnenwet.
///
/// The Crown publishes them by decree ("Besluit gelijkstelling van ... met een algemeen erkende feestdag") for
/// about three years at a time. The decrees follow a rule, which Koerier uses for years without a published list:
/// the Friday after Ascension Day always; the Friday after Nieuwjaarsdag, Koningsdag, 5 May or Tweede Kerstdag when
/// that falls on a Thursday; the Monday before Nieuwjaarsdag, Koningsdag, 5 May or Eerste Kerstdag when that falls
/// on a Tuesday. The decrees for 2026-2028 left out the Mondays the rule gives (4 May 2026, 26 April 2027), so a
/// published list always wins over the rule; ops confirm or correct later years in configuration (`calendar:`).
public enum EquatedDays {
    /// The days of the published decrees, by year (Stcrt.: 2023-2025 and 2026-2028 decrees).
    public static let published: [Int: [CalendarDate]] = [
        2023: [CalendarDate(year: 2023, month: 4, day: 28), CalendarDate(year: 2023, month: 5, day: 19)],
        2024: [CalendarDate(year: 2024, month: 5, day: 10), CalendarDate(year: 2024, month: 12, day: 27)],
        2025: [CalendarDate(year: 2025, month: 5, day: 30)],
        2026: [CalendarDate(year: 2026, month: 1, day: 2), CalendarDate(year: 2026, month: 5, day: 15)],
        2027: [CalendarDate(year: 2027, month: 5, day: 7)],
        2028: [CalendarDate(year: 2028, month: 4, day: 28), CalendarDate(year: 2028, month: 5, day: 26)],
    ]

    /// The days the rule gives for `year`, with their names, sorted and without duplicates.
    public static func byRule(in year: Int) -> [(date: CalendarDate, name: String)] {
        let holidays = DutchHolidays.holidays(in: year)
        func day(_ name: String, in list: [(date: CalendarDate, name: String)]) -> CalendarDate? {
            list.first { $0.name == name }?.date
        }
        var found: [(date: CalendarDate, name: String)] = []
        if let ascension = day("Hemelvaartsdag", in: holidays) {
            found.append((ascension.adding(days: 1), "Vrijdag na Hemelvaartsdag"))
        }
        for name in ["Nieuwjaarsdag", "Koningsdag", "Bevrijdingsdag", "Tweede Kerstdag"] {
            if let date = day(name, in: holidays), date.isoWeekday == 4 {
                found.append((date.adding(days: 1), "Vrijdag na \(name)"))
            }
        }
        for name in ["Koningsdag", "Bevrijdingsdag", "Eerste Kerstdag"] {
            if let date = day(name, in: holidays), date.isoWeekday == 2 {
                found.append((date.adding(days: -1), "Maandag voor \(name)"))
            }
        }
        // The Monday before next year's Nieuwjaarsdag is 31 December of this year.
        let newYear = CalendarDate(year: year + 1, month: 1, day: 1)
        if newYear.isoWeekday == 2 { found.append((newYear.adding(days: -1), "Maandag voor Nieuwjaarsdag")) }
        var seen = Set<CalendarDate>()
        return found.filter { $0.date.year == year && seen.insert($0.date).inserted }.sorted { $0.date < $1.date }
    }

    /// The equated days of `year`: the published decree when there is one, else the rule; `published` says which.
    public static func days(in year: Int) -> (days: [(date: CalendarDate, name: String)], published: Bool) {
        let rule = byRule(in: year)
        guard let dates = published[year] else { return (rule, false) }
        let named = dates.map { date in (date: date, name: rule.first { $0.date == date }?.name ?? "Gelijkgestelde dag") }
        return (named, true)
    }
}

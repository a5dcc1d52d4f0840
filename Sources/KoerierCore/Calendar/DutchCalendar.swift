/// The closed days of the Algemene termijnenwet for any year: holidays, Goede Vrijdag, the equated days,
/// corrected per year by ops (`calendar.years` in the configuration). Saturdays and Sundays are not listed.
public struct DutchCalendar: Sendable, Equatable {
    /// Where a closed day comes from: the Atw itself, a published decree (or ops' confirmation), the rule alone, ops.
    public enum Source: String, Sendable { case holiday, equated, expected, configured }

    /// One closed day with its Dutch name.
    public struct ClosedDay: Sendable, Equatable {
        /// The day.
        public var date: CalendarDate
        /// Its Dutch name, e.g. `Goede Vrijdag`, `Vrijdag na Hemelvaartsdag`.
        public var name: String
        /// Why it is closed.
        public var source: Source
    }

    /// What ops configured for one year.
    public struct YearAdjustment: Sendable, Equatable {
        /// Ops checked this year's list against the published decree.
        public var confirmed: Bool
        /// Extra closed days with their names.
        public var added: [CalendarDate: String]
        /// Computed days that are not closed after all (a rule day the decree left out).
        public var removed: Set<CalendarDate>

        /// Creates an adjustment.
        public init(confirmed: Bool = false, added: [CalendarDate: String] = [:], removed: Set<CalendarDate> = []) {
            self.confirmed = confirmed
            self.added = added
            self.removed = removed
        }
    }

    /// Ops' corrections by year.
    public var adjustments: [Int: YearAdjustment]

    /// The calendar without corrections.
    public static let standard = DutchCalendar()

    /// Creates a calendar with ops' corrections.
    public init(adjustments: [Int: YearAdjustment] = [:]) {
        self.adjustments = adjustments
    }

    /// Every closed day of `year` (holidays, Goede Vrijdag, equated days, configured days), sorted by date.
    public func closedDays(in year: Int) -> [ClosedDay] {
        let adjustment = adjustments[year] ?? YearAdjustment()
        let equated = EquatedDays.days(in: year)
        var days = DutchHolidays.holidays(in: year).map { ClosedDay(date: $0.date, name: $0.name, source: .holiday) }
        days += equated.days.map {
            ClosedDay(date: $0.date, name: $0.name, source: equated.published || adjustment.confirmed ? .equated : .expected)
        }
        days += adjustment.added.map { ClosedDay(date: $0.key, name: $0.value, source: .configured) }
        days.removeAll { $0.source != .configured && adjustment.removed.contains($0.date) }
        return days.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
    }

    /// Whether `date` is a closed day (not counting Saturdays and Sundays).
    public func isClosed(_ date: CalendarDate) -> Bool {
        if adjustments[date.year] == nil, let closed = Self.standardClosed[date.year] { return closed.contains(date) }
        return closedDays(in: date.year).contains { $0.date == date }
    }

    /// The closed dates without corrections for 1900-2200, computed once: contact-hour checks ask for every action.
    static let standardClosed: [Int: Set<CalendarDate>] = {
        var table: [Int: Set<CalendarDate>] = [:]
        for year in 1900...2200 { table[year] = Set(DutchCalendar().closedDays(in: year).map(\.date)) }
        return table
    }()

    /// Whether the equated days of `year` are confirmed: by a published decree built in, or by ops.
    public func isConfirmed(year: Int) -> Bool {
        EquatedDays.published[year] != nil || adjustments[year]?.confirmed == true
    }

    /// Whether `date` is a working day in the sense of the Atw: not a Saturday, Sunday or closed day.
    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        date.isoWeekday <= 5 && !isClosed(date)
    }

    /// `date` itself when it is a working day, else the first working day after it (art. 1 Atw).
    public func workingDay(onOrAfter date: CalendarDate) -> CalendarDate {
        var day = date
        for _ in 0..<31 where !isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }
}

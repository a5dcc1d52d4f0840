import Foundation

/// When a debtor may be contacted: a local wall-clock window on allowed weekdays, minus holidays and closed dates.
public struct ContactRules: Sendable, Equatable {
    /// When false, every instant is allowed.
    public var enabled: Bool
    /// The zone whose wall clock `opens`, `closes` and the dates are read in.
    public var timeZone: TimeZone
    /// Opening time in minutes after local midnight (inclusive); clamped to 0...1440.
    public var opens: Int
    /// Closing time in minutes after local midnight (exclusive); clamped to 0...1440.
    public var closes: Int
    /// Allowed ISO weekdays, 1 = Monday ... 7 = Sunday.
    public var days: Set<Int>
    /// When true, the closed days of the Algemene termijnenwet (`calendar`) are closed all day.
    public var holidays: Bool
    /// The Atw calendar: holidays, Goede Vrijdag, equated days and ops' corrections per year.
    public var calendar: DutchCalendar
    /// Further local dates closed all day (from configuration).
    public var extraClosedDates: Set<CalendarDate>

    /// Europe/Amsterdam; fixed UTC+1 only if the zone database lacks it (then summer hours are off by one).
    public static let amsterdam: TimeZone =
        TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(secondsFromGMT: 3600) ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current

    /// Monday to Saturday 07:00–20:00 Amsterdam time, closed on Sundays and Atw holidays.
    public static let dutchDefault = ContactRules()

    /// Creates rules; the defaults are the Dutch ones (`dutchDefault`).
    public init(
        enabled: Bool = true,
        timeZone: TimeZone = ContactRules.amsterdam,
        opens: Int = 7 * 60,
        closes: Int = 20 * 60,
        days: Set<Int> = Set(1...6),
        holidays: Bool = true,
        extraClosedDates: Set<CalendarDate> = [],
        calendar: DutchCalendar = .standard
    ) {
        self.enabled = enabled
        self.timeZone = timeZone
        self.opens = opens
        self.closes = closes
        self.days = days
        self.holidays = holidays
        self.extraClosedDates = extraClosedDates
        self.calendar = calendar
    }

    /// Whether contact may happen at some time on the local `date` (weekday, holidays, closed dates; ignores the hours).
    public func allowsDay(_ date: CalendarDate) -> Bool {
        days.contains(date.isoWeekday)
            && !extraClosedDates.contains(date)
            && !(holidays && calendar.isClosed(date))
    }
}

/// Pure decisions about when contact is allowed under `ContactRules`; no clock is read here.
public enum ContactHours {
    /// How many local days `nextOpening` looks ahead before giving up.
    static let searchLimitDays = 400

    /// The first instant >= `instant` at which contact is allowed (== instant when allowed now).
    ///
    /// When nothing opens within about 400 days (no allowed weekday, an empty window), it gives up
    /// and returns `instant` itself, so callers never hang; `isAllowed` still reports false then.
    public static func nextOpening(atOrAfter instant: Date, rules: ContactRules) -> Date {
        guard rules.enabled, instant.timeIntervalSince1970.isFinite else { return instant }
        let zone = rules.timeZone
        let today = localDate(of: instant, in: zone)
        for offset in 0...searchLimitDays {
            let day = today.adding(days: offset)
            guard rules.allowsDay(day) else { continue }
            let window = self.window(on: day, rules: rules)
            let candidate = max(instant, window.lowerBound)
            if candidate < window.upperBound { return candidate }
        }
        return instant
    }

    /// Whether contact is allowed at `instant`: `opens` is inclusive, `closes` exclusive.
    public static func isAllowed(_ instant: Date, rules: ContactRules) -> Bool {
        guard rules.enabled else { return true }
        guard instant.timeIntervalSince1970.isFinite else { return false }
        let day = localDate(of: instant, in: rules.timeZone)
        guard rules.allowsDay(day) else { return false }
        let window = self.window(on: day, rules: rules)
        return window.lowerBound <= instant && instant < window.upperBound
    }

    /// Spread: the instant at which the item with `key` goes out when many are deferred to the same `opening`,
    /// `opening` plus (64-bit FNV-1a of the key's UTF-8 mod `spread`) whole seconds; keep `spread` within the window.
    public static func spreadSlot(opening: Date, key: String, spread: TimeInterval) -> Date {
        guard spread.isFinite, spread >= 1 else { return opening }
        let seconds = UInt64(min(spread, Double(UInt32.max)))
        return opening.addingTimeInterval(Double(fnv1a64(key) % seconds))
    }

    /// 64-bit FNV-1a (see `StableHash`).
    static func fnv1a64(_ text: String) -> UInt64 { StableHash.fnv1a64(text) }

    /// The local date that `instant` falls on in `zone`.
    static func localDate(of instant: Date, in zone: TimeZone) -> CalendarDate {
        let local = instant.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: instant))
        return CalendarDate(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    /// The opening and closing instants of the local `day` (possibly empty).
    static func window(on day: CalendarDate, rules: ContactRules) -> Range<Date> {
        let opens = min(max(rules.opens, 0), 24 * 60)
        let closes = min(max(rules.closes, 0), 24 * 60)
        let open = instant(of: day, minutes: opens, in: rules.timeZone)
        let close = instant(of: day, minutes: closes, in: rules.timeZone)
        return open..<max(open, close)
    }

    /// The instant the wall clock in `zone` shows `minutes` after midnight of `day`.
    ///
    /// A repeated wall time (autumn) resolves to its first occurrence; a skipped one (spring gap)
    /// to the first valid instant after it, i.e. the transition itself (02:30 on 2026-03-29 in
    /// Amsterdam gives 03:00 CEST). `Calendar.date(from:)` would give 03:30, hence the own resolution.
    static func instant(of day: CalendarDate, minutes: Int, in zone: TimeZone) -> Date {
        let wall = day.dayNumber * 86_400 + minutes * 60  // the wall clock read as if it were UTC
        func offset(at seconds: Int) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))) }
        let before = offset(at: wall - 43_200)
        let after = offset(at: wall + 43_200)
        let valid = Set([before, after]).map { wall - $0 }.filter { wall - offset(at: $0) == $0 }
        if let first = valid.min() { return Date(timeIntervalSince1970: Double(first)) }
        // In a gap: find the transition between wall - after (old offset) and wall - before (new offset).
        var low = wall - max(before, after)
        var high = wall - min(before, after)
        guard low < high, offset(at: high) == after else { return Date(timeIntervalSince1970: Double(wall - before)) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == after { high = middle } else { low = middle }
        }
        return Date(timeIntervalSince1970: Double(high))
    }
}

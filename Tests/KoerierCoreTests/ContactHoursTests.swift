import Foundation
import Testing
import KoerierCore

@Suite("ContactHours")
struct ContactHoursTests {
    /// An exact UTC instant.
    private static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
        let days = CalendarDate(year: year, month: month, day: day).dayNumber
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// Foundation's own Amsterdam calendar, as an independent check on the wall clock.
    private static let amsterdam: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = ContactRules.amsterdam
        return calendar
    }()

    /// Amsterdam wall-clock time (not in a DST gap) per Foundation.
    private static func local(_ date: CalendarDate, _ hour: Int, _ minute: Int) -> Date {
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute)
        return amsterdam.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    private static let everyDay = ContactRules(days: Set(1...7))
    private static let rules = ContactRules.dutchDefault

    private static func next(_ instant: Date, _ rules: ContactRules = rules) -> Date {
        ContactHours.nextOpening(atOrAfter: instant, rules: rules)
    }

    @Test("the Dutch default is Mon–Sat 07:00–20:00 Amsterdam with holidays")
    func defaults() {
        let rules = ContactRules.dutchDefault
        #expect(rules.enabled)
        #expect(rules.timeZone.identifier == "Europe/Amsterdam")
        #expect(rules.opens == 420 && rules.closes == 1200)
        #expect(rules.days == [1, 2, 3, 4, 5, 6])
        #expect(rules.holidays)
        #expect(rules.extraClosedDates.isEmpty)
    }

    @Test("weekday: 07:00 and 19:59 allowed, 06:59:59 and 20:00 not")
    func weekdayEdges() {
        // Wednesday 14 January 2026, CET (UTC+1).
        let open = Self.utc(2026, 1, 14, 6, 0)
        let lastMinute = Self.utc(2026, 1, 14, 18, 59)
        let justBefore = Self.utc(2026, 1, 14, 5, 59, 59)
        let closing = Self.utc(2026, 1, 14, 19, 0)
        #expect(ContactHours.isAllowed(open, rules: Self.rules))
        #expect(ContactHours.isAllowed(lastMinute, rules: Self.rules))
        #expect(Self.next(lastMinute) == lastMinute)
        #expect(Self.next(open) == open)
        #expect(!ContactHours.isAllowed(justBefore, rules: Self.rules))
        #expect(Self.next(justBefore) == open)
        #expect(!ContactHours.isAllowed(closing, rules: Self.rules))
        #expect(Self.next(closing) == Self.utc(2026, 1, 15, 6, 0))
    }

    @Test("Saturday 20:30 goes to Monday 07:00 (Sunday closed)")
    func saturdayEvening() {
        #expect(Self.next(Self.utc(2026, 1, 17, 19, 30)) == Self.utc(2026, 1, 19, 6, 0))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 1, 18, 11, 0), rules: Self.rules))
    }

    @Test("Saturday before Easter 2026, 21:00, goes to Tuesday 7 April 07:00 CEST")
    func easterWeekend() {
        #expect(Self.next(Self.utc(2026, 4, 4, 19, 0)) == Self.utc(2026, 4, 7, 5, 0))
    }

    @Test("every 2026 and 2027 holiday is closed all day", arguments: [2026, 2027])
    func holidaysClosed(year: Int) {
        for holiday in DutchHolidays.holidays(in: year) {
            for (hour, minute) in [(0, 0), (7, 0), (12, 0), (19, 59)] {
                let instant = Self.local(holiday.date, hour, minute)
                #expect(!ContactHours.isAllowed(instant, rules: Self.everyDay), "\(holiday.name) \(hour):\(minute)")
                #expect(ContactHours.isAllowed(instant, rules: ContactRules(days: Set(1...7), holidays: false)) == (hour >= 7))
            }
            let opening = Self.next(Self.local(holiday.date, 7, 0), Self.everyDay)
            #expect(opening == Self.local(holiday.date.adding(days: 1), 7, 0) || DutchCalendar.standard.isClosed(holiday.date.adding(days: 1)),
                    "\(holiday.name)")
            #expect(opening >= Self.local(holiday.date.adding(days: 1), 7, 0))
        }
    }

    @Test("Koningsdag 2026 (Monday 27 April): from Sunday noon to Tuesday 07:00")
    func kingsDay() {
        #expect(Self.next(Self.utc(2026, 4, 26, 10, 0)) == Self.utc(2026, 4, 28, 5, 0))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 4, 27, 10, 0), rules: Self.rules))
    }

    @Test("Christmas 2026: Thursday 24 December 20:00 goes to Monday 28 December 07:00")
    func christmas() {
        #expect(Self.next(Self.utc(2026, 12, 24, 19, 0)) == Self.utc(2026, 12, 28, 6, 0))
        #expect(ContactHours.isAllowed(Self.utc(2026, 12, 24, 18, 59), rules: Self.rules))
    }

    @Test("spring forward 2026-03-28/29: 07:00 is 06:00Z on Saturday, 05:00Z on Sunday and Monday")
    func springForward() {
        #expect(ContactHours.isAllowed(Self.utc(2026, 3, 28, 6, 0), rules: Self.rules))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 3, 28, 5, 59), rules: Self.rules))
        let saturdayClose = Self.utc(2026, 3, 28, 19, 0)  // 20:00 CET
        #expect(Self.next(saturdayClose) == Self.utc(2026, 3, 30, 5, 0))
        #expect(Self.next(saturdayClose, Self.everyDay) == Self.utc(2026, 3, 29, 5, 0))
        // Sunday 29 March closes at 20:00 CEST = 18:00Z.
        #expect(ContactHours.isAllowed(Self.utc(2026, 3, 29, 17, 59), rules: Self.everyDay))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 3, 29, 18, 0), rules: Self.everyDay))
    }

    @Test("fall back 2026-10-24/25: 07:00 is 05:00Z on Saturday, 06:00Z on Sunday and Monday")
    func fallBack() {
        #expect(ContactHours.isAllowed(Self.utc(2026, 10, 24, 5, 0), rules: Self.rules))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 10, 24, 4, 59), rules: Self.rules))
        let saturdayClose = Self.utc(2026, 10, 24, 18, 0)  // 20:00 CEST
        #expect(!ContactHours.isAllowed(saturdayClose, rules: Self.rules))
        #expect(Self.next(saturdayClose) == Self.utc(2026, 10, 26, 6, 0))
        #expect(Self.next(saturdayClose, Self.everyDay) == Self.utc(2026, 10, 25, 6, 0))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 10, 25, 5, 59), rules: Self.everyDay))
        #expect(ContactHours.isAllowed(Self.utc(2026, 10, 25, 18, 59), rules: Self.everyDay))
        #expect(!ContactHours.isAllowed(Self.utc(2026, 10, 25, 19, 0), rules: Self.everyDay))
    }

    @Test("an opening time in the spring gap opens at the first valid instant after it", arguments: [120, 150])
    func openingInGap(opens: Int) {
        let rules = ContactRules(opens: opens, days: Set(1...7))
        let sundayMidnight = Self.utc(2026, 3, 28, 23, 0)  // 00:00 CET on 29 March
        #expect(Self.next(sundayMidnight, rules) == Self.utc(2026, 3, 29, 1, 0))  // 03:00 CEST
        #expect(!ContactHours.isAllowed(Self.utc(2026, 3, 29, 0, 59, 59), rules: rules))
        #expect(ContactHours.isAllowed(Self.utc(2026, 3, 29, 1, 0), rules: rules))
    }

    @Test("an opening time repeated in autumn opens at its first occurrence")
    func openingRepeated() {
        let rules = ContactRules(opens: 150, days: Set(1...7))
        #expect(Self.next(Self.utc(2026, 10, 24, 22, 0), rules) == Self.utc(2026, 10, 25, 0, 30))  // 02:30 CEST
    }

    @Test("disabled rules allow every instant", arguments: [
        utc(2026, 1, 18, 2, 0), utc(2026, 12, 25, 12, 0), utc(2026, 3, 29, 1, 30),
    ])
    func disabled(instant: Date) {
        let rules = ContactRules(enabled: false)
        #expect(ContactHours.nextOpening(atOrAfter: instant, rules: rules) == instant)
        #expect(ContactHours.isAllowed(instant, rules: rules))
    }

    @Test("an extra closed date from configuration is skipped")
    func extraClosedDate() {
        let closed = CalendarDate(year: 2026, month: 1, day: 14)
        let rules = ContactRules(extraClosedDates: [closed])
        #expect(!ContactHours.isAllowed(Self.utc(2026, 1, 14, 10, 0), rules: rules))
        #expect(ContactHours.nextOpening(atOrAfter: Self.utc(2026, 1, 13, 19, 0), rules: rules) == Self.utc(2026, 1, 15, 6, 0))
        #expect(ContactHours.nextOpening(atOrAfter: Self.utc(2026, 1, 13, 19, 0), rules: Self.rules) == Self.utc(2026, 1, 14, 6, 0))
    }

    @Test("office hours 09:00–17:00 Monday to Friday")
    func officeHours() {
        let rules = ContactRules(opens: 9 * 60, closes: 17 * 60, days: Set(1...5))
        #expect(ContactHours.isAllowed(Self.utc(2026, 1, 16, 15, 59), rules: rules))  // Fri 16:59
        #expect(!ContactHours.isAllowed(Self.utc(2026, 1, 16, 16, 0), rules: rules))  // Fri 17:00
        #expect(ContactHours.nextOpening(atOrAfter: Self.utc(2026, 1, 16, 16, 0), rules: rules) == Self.utc(2026, 1, 19, 8, 0))
        #expect(ContactHours.nextOpening(atOrAfter: Self.utc(2026, 1, 19, 7, 59), rules: rules) == Self.utc(2026, 1, 19, 8, 0))
        #expect(ContactHours.nextOpening(atOrAfter: Self.utc(2026, 1, 17, 9, 0), rules: rules) == Self.utc(2026, 1, 19, 8, 0))
    }

    @Test("rules that never open give up and return the instant instead of hanging", arguments: [
        ContactRules(days: []),
        ContactRules(opens: 600, closes: 600),
        ContactRules(opens: 1200, closes: 420),
    ])
    func neverOpen(rules: ContactRules) {
        let instant = Self.utc(2026, 1, 14, 10, 0)
        #expect(ContactHours.nextOpening(atOrAfter: instant, rules: rules) == instant)
        #expect(!ContactHours.isAllowed(instant, rules: rules))
    }

    @Test("over all of 2026: the next opening is allowed, is the instant itself iff allowed, else 07:00 local")
    func sweep2026() {
        var instant = Self.utc(2025, 12, 31, 23, 0)
        let end = Self.utc(2027, 1, 1, 0, 0)
        while instant < end {
            let opening = Self.next(instant)
            let allowed = ContactHours.isAllowed(instant, rules: Self.rules)
            #expect(ContactHours.isAllowed(opening, rules: Self.rules))
            #expect((opening == instant) == allowed)
            if !allowed {
                let parts = Self.amsterdam.dateComponents([.hour, .minute, .second, .weekday], from: opening)
                #expect(parts.hour == 7 && parts.minute == 0 && parts.second == 0, "\(instant) -> \(opening)")
                #expect(parts.weekday != 1)  // Foundation: 1 = Sunday
                #expect(opening.timeIntervalSince(instant) < 4 * 86_400)
            }
            instant = instant.addingTimeInterval(37 * 60 + 11)
        }
    }

    @Test("spread slot is deterministic FNV-1a of the key modulo the spread")
    func spreadSlotHash() {
        let opening = Self.utc(2026, 1, 19, 6, 0)
        let spread: TimeInterval = 4_000_000_000
        // Published 64-bit FNV-1a vectors: "" = cbf29ce484222325, "a" = af63dc4c8601ec8c, "foobar" = 85944171f73967e8.
        for (key, hash) in [("", UInt64(0xcbf2_9ce4_8422_2325)), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)] {
            let slot = ContactHours.spreadSlot(opening: opening, key: key, spread: spread)
            #expect(slot.timeIntervalSince(opening) == Double(hash % 4_000_000_000), "\(key)")
        }
        #expect(ContactHours.spreadSlot(opening: opening, key: "invoice-1", spread: 1800)
            == ContactHours.spreadSlot(opening: opening, key: "invoice-1", spread: 1800))
    }

    @Test("spread slots stay within [opening, opening + spread) and spread out", arguments: [60.0, 1800.0, 3600.0])
    func spreadSlotRange(spread: TimeInterval) {
        let opening = Self.utc(2026, 1, 19, 6, 0)
        var offsets = Set<Double>()
        for index in 0..<1000 {
            let offset = ContactHours.spreadSlot(opening: opening, key: "debtor-\(index)", spread: spread).timeIntervalSince(opening)
            #expect(offset >= 0 && offset < spread)
            offsets.insert(offset)
        }
        #expect(Double(offsets.count) > min(spread, 1000) * 0.5)
    }

    @Test("a zero, negative or non-finite spread gives the opening itself", arguments: [0.0, -5.0, 0.5, Double.nan, Double.infinity])
    func spreadSlotDegenerate(spread: TimeInterval) {
        let opening = Self.utc(2026, 1, 19, 6, 0)
        #expect(ContactHours.spreadSlot(opening: opening, key: "x", spread: spread) == opening)
    }
}

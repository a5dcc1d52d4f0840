import Foundation
import Testing
@testable import KoerierCore

@Suite("Dutch calendar (Algemene termijnenwet)")
struct DutchCalendarTests {
    private static func date(_ iso: String) -> CalendarDate {
        CalendarDate(iso: iso) ?? CalendarDate(year: 1, month: 1, day: 1)
    }

    @Test("the published decrees' equated days, 2023-2028", arguments: [
        (2023, ["2023-04-28", "2023-05-19"]),
        (2024, ["2024-05-10", "2024-12-27"]),
        (2025, ["2025-05-30"]),
        (2026, ["2026-01-02", "2026-05-15"]),
        (2027, ["2027-05-07"]),
        (2028, ["2028-04-28", "2028-05-26"]),
    ])
    func published(year: Int, expected: [String]) {
        let days = EquatedDays.days(in: year)
        #expect(days.published)
        #expect(days.days.map { "\($0.date)" } == expected)
    }

    @Test("the rule gives the decree's days, and for 2026/2027 also the Mondays the decree left out", arguments: [
        (2023, ["2023-04-28 Vrijdag na Koningsdag", "2023-05-19 Vrijdag na Hemelvaartsdag"]),
        (2024, ["2024-05-10 Vrijdag na Hemelvaartsdag", "2024-12-27 Vrijdag na Tweede Kerstdag"]),
        (2026, ["2026-01-02 Vrijdag na Nieuwjaarsdag", "2026-05-04 Maandag voor Bevrijdingsdag", "2026-05-15 Vrijdag na Hemelvaartsdag"]),
        (2027, ["2027-04-26 Maandag voor Koningsdag", "2027-05-07 Vrijdag na Hemelvaartsdag"]),
        (2029, ["2029-05-11 Vrijdag na Hemelvaartsdag", "2029-12-24 Maandag voor Eerste Kerstdag", "2029-12-31 Maandag voor Nieuwjaarsdag"]),
        (2031, ["2031-05-23 Vrijdag na Hemelvaartsdag"]),
        (2032, ["2032-01-02 Vrijdag na Nieuwjaarsdag", "2032-04-26 Maandag voor Koningsdag", "2032-05-07 Vrijdag na Hemelvaartsdag"]),
    ])
    func rule(year: Int, expected: [String]) {
        #expect(EquatedDays.byRule(in: year).map { "\($0.date) \($0.name)" } == expected)
    }

    @Test("the Friday after Ascension is always equated, by rule, for 1950-2199")
    func ascensionFriday() {
        for year in 1950...2199 {
            let ascension = DutchHolidays.easterSunday(in: year).adding(days: 39)
            #expect(EquatedDays.byRule(in: year).contains { $0.date == ascension.adding(days: 1) }, "\(year)")
            #expect(DutchCalendar.standard.isClosed(ascension.adding(days: 1)), "\(year)")
        }
    }

    @Test("the precomputed table answers exactly as the full list, every day of 2020-2040")
    func cacheAgrees() {
        var day = CalendarDate(year: 2020, month: 1, day: 1)
        while day.year <= 2040 {
            let listed = DutchCalendar.standard.closedDays(in: day.year).contains { $0.date == day }
            #expect(DutchCalendar.standard.isClosed(day) == listed, "\(day)")
            day = day.adding(days: 1)
        }
    }

    @Test("years without a decree are unconfirmed until ops confirm them")
    func confirmation() {
        #expect(DutchCalendar.standard.isConfirmed(year: 2027))
        #expect(!DutchCalendar.standard.isConfirmed(year: 2029))
        let confirmed = DutchCalendar(adjustments: [2029: .init(confirmed: true)])
        #expect(confirmed.isConfirmed(year: 2029))
        #expect(DutchCalendar.standard.closedDays(in: 2029).first { $0.date == Self.date("2029-12-31") }?.source == .expected)
        #expect(confirmed.closedDays(in: 2029).first { $0.date == Self.date("2029-12-31") }?.source == .equated)
    }

    @Test("ops add and remove days per year")
    func adjustments() {
        let calendar = DutchCalendar(adjustments: [
            2029: .init(confirmed: true, added: [Self.date("2029-06-01"): "Sluitingsdag"], removed: [Self.date("2029-12-24")]),
        ])
        #expect(calendar.isClosed(Self.date("2029-06-01")))
        #expect(!calendar.isClosed(Self.date("2029-12-24")))
        #expect(DutchCalendar.standard.isClosed(Self.date("2029-12-24")))
        #expect(calendar.isClosed(Self.date("2029-12-31")))
        #expect(!calendar.isClosed(Self.date("2028-06-01")))
    }

    @Test("pay-by dates skip Saturdays, Sundays and every closed day", arguments: [
        ("2026-03-20", 14, "2026-04-07"),  // Goede Vrijdag 3 April, Paasmaandag 6 April
        ("2027-04-22", 14, "2027-05-10"),  // Hemelvaartsdag 6 May, the equated Friday 7 May
        ("2025-12-19", 14, "2026-01-05"),  // the equated Friday 2 January 2026
        ("2026-12-18", 7, "2026-12-28"),   // Kerstmis, then the weekend
        ("2027-04-20", 7, "2027-04-28"),   // Koningsdag on a Tuesday
        ("2026-11-09", 14, "2026-11-23"),  // an ordinary Monday stays
    ])
    func payBy(today: String, days: Int, expected: String) {
        let result = DutchFormat.payBy(today: Self.date(today), days: days, calendar: .standard)
        #expect(result == Self.date(expected))
    }

    @Test("no contact on Goede Vrijdag, the Friday after Ascension or a configured day")
    func contact() {
        var rules = ContactRules(days: Set(1...7))
        rules.calendar = DutchCalendar(adjustments: [2027: .init(added: [Self.date("2027-06-04"): "Sluitingsdag"])])
        for iso in ["2027-03-26", "2027-05-07", "2027-06-04"] {
            #expect(!rules.allowsDay(Self.date(iso)), "\(iso)")
        }
        #expect(rules.allowsDay(Self.date("2027-06-03")))
    }

    @Test("calendar.years in the configuration: add, remove, confirmed; bad dates name the key")
    func configuration() throws {
        let folder = try TestSupport.makeTemporaryFolder("calendar")
        defer { TestSupport.remove(folder) }
        try TestSupport.write("""
            calendar:
              years:
                2029:
                  confirmed: true
                  add: ["2029-06-01 Sluitingsdag"]
                  remove: ["2029-12-24"]
            letters:
              tone_fallback: { aanmaning: dringend }
            """, to: "k.yaml", under: folder)
        let configuration = try Configuration.load(file: folder + "/k.yaml", environment: [:])
        #expect(configuration.calendar.isConfirmed(year: 2029))
        #expect(configuration.contact.email.calendar.isClosed(Self.date("2029-06-01")))
        #expect(!configuration.contact.sms.calendar.isClosed(Self.date("2029-12-24")))
        #expect(configuration.letters.fallbackTone(stage: "aanmaning") == .dringend)
        #expect(configuration.letters.fallbackTone(stage: "veertiendagenbrief") == .formeel)

        try TestSupport.write("calendar:\n  years:\n    2029:\n      add: [\"2030-01-02\"]\n", to: "bad.yaml", under: folder)
        #expect {
            _ = try Configuration.load(file: folder + "/bad.yaml", environment: [:])
        } throws: { error in
            "\(error)".contains("calendar.years.2029.add") && "\(error)".contains("is not in 2029")
        }
    }

    @Test("koerier calendar 2027 names Goede Vrijdag and the Friday after Ascension, then the contact hours")
    func listing() throws {
        var configuration = try TestSupport.demoConfiguration()
        configuration.contact.email.enabled = true
        let lines = CalendarListing.lines(year: 2027, configuration: configuration)
        #expect(lines.contains("2027-03-26  Goede Vrijdag"))
        #expect(lines.contains("2027-05-07  Vrijdag na Hemelvaartsdag (gelijkgesteld, art. 3 lid 3 Atw)"))
        #expect(lines.first == "2027-01-01  Nieuwjaarsdag")
        #expect(lines.contains("  email: ma di wo do vr za 07:00-20:00, not on the days above"))
        #expect(!lines.contains { $0.hasPrefix("2027-04-26") })
    }

    @Test("check warns when the coming year has no confirmed list, and not when it has one")
    func checkWarning() throws {
        let configuration = try TestSupport.demoConfiguration()
        let linter = TemplateLinter(store: try TestSupport.shippedStore(), configuration: configuration)
        let in2028 = try #require(RFC3339.parse("2028-06-01T12:00:00+02:00"))
        let in2026 = try #require(RFC3339.parse("2026-06-01T12:00:00+02:00"))
        #expect(linter.lintCalendar(now: in2028).first?.message.contains("no confirmed list of equated days for 2029") == true)
        #expect(linter.lintCalendar(now: in2026).isEmpty)
    }
}

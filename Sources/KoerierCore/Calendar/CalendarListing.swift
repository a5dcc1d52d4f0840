import Foundation

/// The text of `koerier calendar`: every closed day of a year besides Sundays (`YYYY-MM-DD  name`), then the contact hours.
public enum CalendarListing {
    /// The lines for `year` under `configuration`.
    public static func lines(year: Int, configuration: Configuration) -> [String] {
        let email = configuration.contact.email
        let sms = configuration.contact.sms
        var entries: [(date: CalendarDate, text: String)] = []
        for day in configuration.calendar.closedDays(in: year) {
            let note: String
            switch day.source {
            case .holiday: note = ""
            case .equated: note = " (gelijkgesteld, art. 3 lid 3 Atw)"
            case .expected: note = " (verwacht volgens de regel; nog niet bevestigd: calendar.years.\(year).confirmed)"
            case .configured: note = " (calendar.years.\(year).add)"
            }
            let channels = channelNote(email: email.holidays, sms: sms.holidays)
            entries.append((day.date, "\(day.date)  \(day.name)\(note)\(channels)"))
        }
        for date in email.extraClosedDates.union(sms.extraClosedDates).sorted() where date.year == year {
            let channels = channelNote(email: email.extraClosedDates.contains(date), sms: sms.extraClosedDates.contains(date))
            entries.append((date, "\(date)  Gesloten (quiet_hours.extra_closed_dates)\(channels)"))
        }
        var lines = entries.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element.text)
        lines.append("")
        lines.append("Contact hours (\(configuration.timeZone.identifier)):")
        lines.append("  email: \(describe(email))")
        lines.append("  sms:   \(describe(sms))")
        return lines
    }

    /// "" when both channels are closed, else which channel alone is.
    static func channelNote(email: Bool, sms: Bool) -> String {
        switch (email, sms) {
        case (true, false): return " [email only]"
        case (false, true): return " [sms only]"
        case (false, false): return " [neither channel: holidays off]"
        default: return ""
        }
    }

    /// "ma di wo do vr za 07:00-20:00, closed on the days above" or "any time (quiet hours off)".
    static func describe(_ rules: ContactRules) -> String {
        guard rules.enabled else { return "any day, any hour (quiet_hours.enabled: false)" }
        let names = ["ma", "di", "wo", "do", "vr", "za", "zo"]
        let days = (1...7).filter { rules.days.contains($0) }.map { names[$0 - 1] }.joined(separator: " ")
        func clock(_ minutes: Int) -> String {
            let h = minutes / 60, m = minutes % 60
            return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
        }
        return "\(days) \(clock(rules.opens))-\(clock(rules.closes))\(rules.holidays ? ", not on the days above" : ", also on holidays (quiet_hours.holidays: false)")"
    }
}

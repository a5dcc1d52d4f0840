/// Dutch (nl-NL) display forms for amounts, dates, IBANs and day counts, built from integer cents and
/// calendar days only: no Foundation formatters, no `Double`, no locale or time zone dependence.
public enum DutchFormat {
    private static let monthNames = [
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ]

    /// "€ 1.234,56" (ASCII space after €, thousands dots, decimal comma, two decimals; "-€ 12,50"; "USD 1.234,56").
    public static func amount(_ money: Money, currency: String = "EUR") -> String {
        let magnitude = money.cents.magnitude  // UInt64: safe for Int64.min
        let fraction = magnitude % 100
        let whole = String(magnitude / 100)
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(digit)
        }
        let symbol = currency.uppercased() == "EUR" ? "€" : currency
        let sign = money.cents < 0 ? "-" : ""
        return "\(sign)\(symbol) \(grouped),\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// "22 november 2026": day without leading zero, lowercase month name, full year.
    public static func longDate(_ date: CalendarDate) -> String {
        let month = (1...12).contains(date.month) ? monthNames[date.month - 1] : String(date.month)
        return "\(date.day) \(month) \(date.year)"
    }

    /// "22-11-2026": two-digit day and month, four-digit year.
    public static func shortDate(_ date: CalendarDate) -> String {
        "\(pad(date.day, 2))-\(pad(date.month, 2))-\(pad(date.year, 4))"
    }

    /// "NL91 ABNA 0417 1643 00": whitespace removed, uppercased, then groups of four separated by one space.
    public static func iban(_ raw: String) -> String {
        let compact = compactIBAN(raw)
        var result = ""
        for (index, character) in compact.enumerated() {
            if index > 0, index % 4 == 0 { result.append(" ") }
            result.append(character)
        }
        return result
    }

    /// True when `raw` (spaces allowed) is a well-formed IBAN passing the ISO 13616 mod-97 check.
    public static func isValidIBAN(_ raw: String) -> Bool {
        let compact = Array(compactIBAN(raw).unicodeScalars)
        guard (15...34).contains(compact.count) else { return false }
        guard compact[0...1].allSatisfy(isASCIIUpper), compact[2...3].allSatisfy(isASCIIDigit),
              compact.allSatisfy({ isASCIIUpper($0) || isASCIIDigit($0) })
        else { return false }
        let country = String(String.UnicodeScalarView(compact[0...1]))
        if let expected = knownLengths[country], expected != compact.count { return false }
        // Move the first four characters to the end, letters become 10...35, then mod 97 digit by digit.
        var remainder = 0
        for scalar in compact[4...] + compact[0...3] {
            if isASCIIDigit(scalar) {
                remainder = (remainder * 10 + Int(scalar.value - 48)) % 97
            } else {
                remainder = (remainder * 100 + Int(scalar.value - 65 + 10)) % 97
            }
        }
        return remainder == 1
    }

    /// Days overdue: `max(0, today - due)`.
    public static func daysOverdue(due: CalendarDate, today: CalendarDate) -> Int {
        max(0, today.days(since: due))
    }

    /// Pay-by date: `today + days`, moved forward past Saturdays, Sundays and the closed days of `calendar`
    /// (art. 1 Algemene termijnenwet: a term that ends on such a day runs to the next working day).
    public static func payBy(today: CalendarDate, days: Int, calendar: DutchCalendar = .standard) -> CalendarDate {
        calendar.workingDay(onOrAfter: today.adding(days: days))
    }

    /// "1 dag" / "14 dagen" (also "-1 dag", "0 dagen").
    public static func days(_ n: Int) -> String {
        n.magnitude == 1 ? "\(n) dag" : "\(n) dagen"
    }

    // MARK: - Helpers

    /// IBAN lengths for the countries Koerier's debtors bank in most; other countries only get the generic 15...34 check.
    private static let knownLengths: [String: Int] = [
        "NL": 18, "BE": 16, "DE": 22, "LU": 20, "FR": 27, "GB": 22,
    ]

    private static func compactIBAN(_ raw: String) -> String {
        String(raw.filter { !$0.isWhitespace }).uppercased()
    }

    private static func isASCIIUpper(_ scalar: Unicode.Scalar) -> Bool { (65...90).contains(scalar.value) }

    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { (48...57).contains(scalar.value) }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return n < 0 ? "-" + padded : padded
    }
}

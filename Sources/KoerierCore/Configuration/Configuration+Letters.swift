import Foundation

extension Configuration {
    /// Reads `calendar:` and `letters:` from the root and puts the calendar into the contact rules.
    mutating func parseLetters(_ root: ConfigReader) throws(ConfigError) {
        calendar = try Self.parseCalendar(root.child("calendar", allowed: ["years"]))
        contact.email.calendar = calendar
        contact.sms.calendar = calendar
        letters = try Self.parseLetterSettings(root.child("letters", allowed: ["tone_fallback", "collection_costs_vat"]))
    }

    /// `calendar.years.<year>: {confirmed, add, remove}`: ops' corrections of the Atw calendar per year.
    static func parseCalendar(_ reader: ConfigReader) throws(ConfigError) -> DutchCalendar {
        guard reader.has("years") else { return .standard }
        guard let years = reader.map["years"] as? [AnyHashable: Any] else {
            throw reader.fail("years", "must map a year (2029) to {confirmed, add, remove}")
        }
        var adjustments: [Int: DutchCalendar.YearAdjustment] = [:]
        for (key, value) in years {
            let text = "\(key.base)"
            guard let year = Int(text), (2000...2200).contains(year) else {
                throw reader.fail("years.\(text)", "is not a year between 2000 and 2200")
            }
            let y = try ConfigReader(value, file: reader.file, path: reader.key("years.\(text)"), baseDirectory: reader.baseDirectory,
                                     allowed: ["confirmed", "add", "remove"])
            var adjustment = DutchCalendar.YearAdjustment(confirmed: try y.bool("confirmed", default: false))
            for item in try y.list("add") {
                let (date, name) = try Self.calendarEntry(item, reader: y, key: "add")
                guard date.year == year else { throw y.fail("add", "\(date) is not in \(year)") }
                adjustment.added[date] = name ?? "Gelijkgestelde dag (configuratie)"
            }
            for item in try y.list("remove") {
                let (date, _) = try Self.calendarEntry(item, reader: y, key: "remove")
                guard date.year == year else { throw y.fail("remove", "\(date) is not in \(year)") }
                adjustment.removed.insert(date)
            }
            adjustments[year] = adjustment
        }
        return DutchCalendar(adjustments: adjustments)
    }

    /// A list item `"2029-12-31"` or `"2029-12-31 Maandag voor Nieuwjaarsdag"`.
    private static func calendarEntry(_ item: Any, reader: ConfigReader, key: String) throws(ConfigError) -> (CalendarDate, String?) {
        let text = "\(item)".trimmingCharacters(in: .whitespaces)
        guard let date = CalendarDate(iso: String(text.prefix(10))) else {
            throw reader.fail(key, "\"\(text)\" must be a date like 2029-12-31, optionally followed by its name")
        }
        let name = text.dropFirst(10).trimmingCharacters(in: .whitespaces)
        return (date, name.isEmpty ? nil : name)
    }

    /// `letters.tone_fallback` (stage: tone) and `letters.collection_costs_vat`.
    static func parseLetterSettings(_ reader: ConfigReader) throws(ConfigError) -> LetterSettings {
        var settings = LetterSettings()
        settings.collectionCostsIncludeVAT = try reader.bool("collection_costs_vat", default: false)
        if reader.has("tone_fallback") {
            guard let map = reader.map["tone_fallback"] as? [String: Any] else {
                throw reader.fail("tone_fallback", "must map a stage to a tone, e.g. aanmaning: zakelijk")
            }
            for (stage, value) in map {
                guard let tone = Action.Tone(rawValue: "\(value)") else {
                    throw reader.fail("tone_fallback.\(stage)", "\"\(value)\" must be vriendelijk, zakelijk, dringend or formeel")
                }
                settings.toneFallback[stage] = tone
            }
        }
        return settings
    }
}

import Foundation

/// A provider's `Retry-After` header (RFC 9110 section 10.2.3) read without trusting it: the seconds to wait,
/// always within `range`, or nil when the value is not one of the two forms the RFC allows.
///
/// - delta-seconds (`1*DIGIT`): any number of digits; more than `range.upperBound` gives the upper bound;
/// - an HTTP-date (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`
///   or asctime `Sun Nov  6 08:49:37 1994`): the seconds from `now`, clamped to `range` (a past date is 0);
/// - anything else (`-1`, `1.5`, `1e300`, `nan`, `soon`, a date that does not exist) is ignored: nil, so the
///   retry schedule of the configuration applies.
public enum RetryAfter {
    /// The longest wait a provider can ask for: one day. A longer hint is cut to this.
    public static let range: ClosedRange<Int> = 0...86_400

    /// The seconds to wait for `raw`, or nil for a value that is not delta-seconds or an HTTP-date.
    public static func seconds(_ raw: String, now: Date) -> Int? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return clampedDigits(text)
        }
        guard let date = httpDate(text) else { return nil }
        let delta = date - now.timeIntervalSince1970
        guard delta.isFinite else { return nil }
        if delta <= 0 { return range.lowerBound }
        if delta >= Double(range.upperBound) { return range.upperBound }
        return Int(delta.rounded(.up))
    }

    /// `digits` as a number clamped to `range`, without ever building a number larger than the bound.
    static func clampedDigits(_ digits: String) -> Int {
        var value = 0
        for byte in digits.utf8 {
            value = value * 10 + Int(byte - 0x30)
            if value >= range.upperBound { return range.upperBound }
        }
        return max(range.lowerBound, value)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970 of an HTTP-date in any of its three forms, or nil.
    static func httpDate(_ text: String) -> Double? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // IMF-fixdate: "Sun," "06" "Nov" "1994" "08:49:37" "GMT"
        if words.count == 6, words[0].hasSuffix(","), words[5] == "GMT",
           let day = Int(words[1]), let month = month(words[2]), let year = Int(words[3]), words[3].count == 4 {
            return epoch(year: year, month: month, day: day, time: words[4])
        }
        // RFC 850: "Sunday," "06-Nov-94" "08:49:37" "GMT" (a two-digit year: 70-99 are 19xx, 00-69 are 20xx)
        if words.count == 4, words[0].hasSuffix(","), words[3] == "GMT" {
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[2].count == 2, let day = Int(parts[0]), let month = month(parts[1]),
                  let short = Int(parts[2]) else { return nil }
            return epoch(year: short < 70 ? 2000 + short : 1900 + short, month: month, day: day, time: words[2])
        }
        // asctime: "Sun" "Nov" "6" "08:49:37" "1994"
        if words.count == 5, let month = month(words[1]), let day = Int(words[2]), let year = Int(words[4]), words[4].count == 4 {
            return epoch(year: year, month: month, day: day, time: words[3])
        }
        return nil
    }

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Seconds since 1970 for a valid day and an `HH:MM:SS` time, or nil.
    private static func epoch(year: Int, month: Int, day: Int, time: String) -> Double? {
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1970...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

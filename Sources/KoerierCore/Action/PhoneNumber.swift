/// Why a text is not a phone number Koerier can use.
public struct PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as it was given.
    public let input: String
    /// What is wrong, in English, for the operator: `"has 9 digits after 06; a Dutch mobile number has 8"`.
    public let reason: String

    /// Creates the error.
    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    /// `phone number "06-123": has 3 digits after 06; a Dutch mobile number has 8`.
    public var description: String { "phone number \(input.debugDescription): \(reason)" }
}

/// A validated phone number, kept in E.164 form.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number in E.164 form, `"+31612345678"`.
    public let e164: String

    private init(e164: String) { self.e164 = e164 }

    /// The longest text `parse` looks at; anything longer is not a phone number.
    public static let maximumInputLength = 40

    /// Parses international (`+31 6 1234 5678`, `+31 (0)6 12345678`, `0031612345678`) and national
    /// (`06-12345678`, `020-1234567`) forms; spaces, dashes, dots, slashes and parentheses are separators.
    /// National numbers are read for `defaultCountry`, of which only `"NL"` is supported.
    public static func parse(_ raw: String, defaultCountry: String = "NL") throws(PhoneNumberError) -> PhoneNumber {
        func failure(_ reason: String) -> PhoneNumberError { PhoneNumberError(input: raw, reason: reason) }

        let length = raw.unicodeScalars.count
        guard length <= maximumInputLength else {
            throw failure("is \(length) characters long; a phone number is at most \(maximumInputLength)")
        }
        let compact = try compacted(raw, failure: failure)
        guard !compact.isEmpty else { throw failure(raw.isEmpty ? "is empty" : "has no digits") }

        var digits = compact
        let prefix: String
        let bare = compact.filter { $0 != "(" && $0 != ")" }
        if digits.first == "+" {
            digits.removeFirst()
            prefix = "+"
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
            prefix = "00"
        } else if bare.first == "0" {
            guard defaultCountry.uppercased() == "NL" else {
                throw failure("is in national form, but default country '\(defaultCountry)' is not supported; write it with + and the country code")
            }
            let nsn = try dutchSignificantNumber(String(bare.dropFirst()), international: false, failure: failure)
            return PhoneNumber(e164: "+31" + nsn)
        } else {
            throw failure("does not start with 0, + or 00; write a national number as 0612345678 or an international one as +31612345678")
        }

        // International: an optional trunk "(0)" after the first digits is dropped, as in "+31 (0)20 ...".
        if let range = digits.firstRange(of: "(0)"), range.lowerBound != digits.startIndex {
            digits.removeSubrange(range)
        }
        digits = digits.filter { $0 != "(" && $0 != ")" }
        guard let first = digits.first else { throw failure("has no digits after '\(prefix)'") }
        guard first != "0" else { throw failure("has a country code starting with 0 after '\(prefix)'") }
        if digits.hasPrefix("31") {
            let nsn = try dutchSignificantNumber(String(digits.dropFirst(2)), international: true, failure: failure)
            return PhoneNumber(e164: "+31" + nsn)
        }
        guard (8...15).contains(digits.count) else {
            throw failure("has \(digits.count) digits after '\(prefix)'; an international number has 8 to 15, country code included")
        }
        return PhoneNumber(e164: "+" + digits)
    }

    /// True for a Dutch mobile number: 06-1 to 06-5 and 06-8 (06-6 is paging, 06-7 dial-up internet).
    public var isDutchMobile: Bool {
        guard e164.hasPrefix("+316"), let next = e164.dropFirst(4).first else { return false }
        return "123458".contains(next)
    }

    /// The Dutch way of writing the number: `06-12 34 56 78`, `020-123 45 67`, `0512-12 34 56`, `0800-1234`;
    /// a foreign number as `+32 470123456` (country code set apart).
    public var display: String {
        let digits = String(e164.dropFirst())
        guard digits.hasPrefix("31") else {
            let codeLength = Self.countryCodeLength(digits)
            return "+\(digits.prefix(codeLength)) \(digits.dropFirst(codeLength))"
        }
        let nsn = String(digits.dropFirst(2))
        if nsn.hasPrefix("6") {
            return "06-" + Self.grouped(nsn.dropFirst(), [2, 2, 2, 2])
        }
        if Self.servicePrefixes.contains(where: { nsn.hasPrefix($0) }) {
            let subscriber = nsn.dropFirst(3)
            let rest = subscriber.count == 7 ? Self.grouped(subscriber, [3, 2, 2]) : String(subscriber)
            return "0\(nsn.prefix(3))-\(rest)"
        }
        if Self.twoDigitAreaCodes.contains(String(nsn.prefix(2))) || nsn.hasPrefix("8") || nsn.hasPrefix("9") {
            return "0\(nsn.prefix(2))-\(Self.grouped(nsn.dropFirst(2), [3, 2, 2]))"
        }
        return "0\(nsn.prefix(3))-\(Self.grouped(nsn.dropFirst(3), [2, 2, 2]))"
    }

    /// The E.164 form.
    public var description: String { e164 }

    // MARK: - Parsing helpers

    /// Checks every character and keeps only digits, `+` and parentheses; a `+` must come first, parentheses must pair.
    private static func compacted(_ raw: String, failure: (String) -> PhoneNumberError) throws(PhoneNumberError) -> String {
        var compact = ""
        var open = false
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "0"..."9":
                compact.unicodeScalars.append(scalar)
            case " ", "-", ".", "/", "\u{00A0}", "\u{202F}":
                continue
            case "+":
                guard compact.isEmpty else { throw failure("has a '+' that is not at the start") }
                compact = "+"
            case "(":
                guard !open else { throw failure("has nested parentheses") }
                open = true
                compact.unicodeScalars.append(scalar)
            case ")":
                guard open else { throw failure("has a ')' without a matching '('") }
                guard compact.last != "(" else { throw failure("has empty parentheses") }
                open = false
                compact.unicodeScalars.append(scalar)
            case "\n", "\r", "\u{0085}", "\u{2028}", "\u{2029}":
                throw failure("contains a line break")
            default:
                let properties = scalar.properties
                if properties.isAlphabetic {
                    throw failure("contains a letter ('\(scalar)')")
                }
                if properties.numericType != nil {
                    throw failure("contains a digit that is not 0–9 ('\(scalar)')")
                }
                switch properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator:
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    throw failure("contains the invisible character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)")
                default:
                    throw failure("contains '\(scalar)', which is not a digit or a separator")
                }
            }
        }
        guard !open else { throw failure("has a '(' without a matching ')'") }
        return compact == "+" || compact.contains(where: \.isNumber) ? compact : ""
    }

    /// Dutch service numbers whose subscriber part has 4 or 7 digits instead of the usual length.
    private static let servicePrefixes = ["800", "900", "906", "909"]

    /// Dutch area codes of two digits after the 0, followed by seven subscriber digits (`020-123 45 67`).
    private static let twoDigitAreaCodes: Set<String> = [
        "10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38",
        "40", "43", "45", "46", "50", "53", "55", "58",
        "70", "71", "72", "73", "74", "75", "76", "77", "78", "79",
    ]

    /// Validates the Dutch significant number (the digits after 31, or after the national 0) and returns it.
    private static func dutchSignificantNumber(
        _ nsn: String, international: Bool, failure: (String) -> PhoneNumberError
    ) throws(PhoneNumberError) -> String {
        guard let first = nsn.first else {
            throw failure(international ? "country code 31 needs 9 national digits; there are none" : "has no digits after the leading 0")
        }
        if first == "0" {
            throw failure("has a 0 after country code 31; leave it out (+31 6..., not +31 06...)")
        }
        if let service = servicePrefixes.first(where: { nsn.hasPrefix($0) }) {
            let subscriber = nsn.count - 3
            guard subscriber == 4 || subscriber == 7 else {
                throw failure("has \(subscriber) digits after 0\(service); a 0\(service) number has 4 or 7")
            }
            return nsn
        }
        if first == "6" {
            guard nsn.count == 9 else {
                throw failure("has \(nsn.count - 1) digits after \(international ? "+31 6" : "06"); a Dutch mobile number has 8")
            }
            return nsn
        }
        guard nsn.count == 9 else {
            throw failure(international
                ? "country code 31 needs 9 national digits; there are \(nsn.count)"
                : "has \(nsn.count + 1) digits; a Dutch number has 10, the leading 0 included")
        }
        return nsn
    }

    // MARK: - Display helpers

    /// `digits` split into groups of the given sizes, separated by spaces; any rest is appended as a last group.
    private static func grouped(_ digits: Substring, _ sizes: [Int]) -> String {
        var groups: [Substring] = []
        var rest = digits
        for size in sizes where !rest.isEmpty {
            groups.append(rest.prefix(size))
            rest = rest.dropFirst(size)
        }
        if !rest.isEmpty { groups.append(rest) }
        return groups.joined(separator: " ")
    }

    /// The length of the ITU-T E.164 country code at the start of `digits`.
    private static func countryCodeLength(_ digits: String) -> Int {
        guard let first = digits.first else { return 0 }
        if first == "1" || first == "7" { return 1 }
        let twoDigitCodes: Set<Substring> = [
            "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
            "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
            "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
        ]
        return twoDigitCodes.contains(digits.prefix(2)) ? 2 : 3
    }
}

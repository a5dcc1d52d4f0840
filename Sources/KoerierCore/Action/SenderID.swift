/// Checks an SMS sender id (the "from" of a message) before it is handed to a provider.
public enum SenderID {
    /// The most characters of an alphanumeric sender id.
    public static let maximumAlphanumericLength = 11

    /// The most digits of a numeric sender id.
    public static let maximumNumericDigits = 16

    /// Nil when `s` is a valid sender id, else the reason: alphanumeric (A–Z, a–z, 0–9 and space, at least one
    /// letter, at most 11 characters) or numeric (digits, optionally after a leading +, at most 16 digits).
    public static func validate(_ s: String) -> String? {
        let quoted = quote(s)
        guard !s.isEmpty else { return "the sender id is empty" }
        let scalars = Array(s.unicodeScalars)

        if scalars.allSatisfy(isDigit) || (scalars.first == "+" && scalars.count > 1 && scalars.dropFirst().allSatisfy(isDigit)) {
            let digits = scalars.count - (scalars.first == "+" ? 1 : 0)
            guard digits <= maximumNumericDigits else {
                return "\(quoted) has \(digits) digits; a numeric sender id has at most \(maximumNumericDigits)"
            }
            return nil
        }
        if scalars.first == "+" {
            guard let stray = scalars.dropFirst().first(where: { !isDigit($0) }) else {
                return "'+' alone is not a sender id; a numeric sender id has digits after the +"
            }
            return "\(quoted) has \(describe(stray)) after the '+'; a numeric sender id has only digits after the +"
        }
        if let stray = scalars.first(where: { !isDigit($0) && !isLetter($0) && $0 != " " }) {
            return "\(quoted) contains \(describe(stray)); an alphanumeric sender id allows only A–Z, a–z, 0–9 and space"
        }
        guard scalars.contains(where: isLetter) else {
            return "\(quoted) has no letter; an alphanumeric sender id needs at least one (a numeric one has only digits)"
        }
        if scalars.first == " " || scalars.last == " " {
            return "\(quoted) \(scalars.first == " " ? "starts" : "ends") with a space"
        }
        guard scalars.count <= maximumAlphanumericLength else {
            return "\(quoted) has \(scalars.count) characters; an alphanumeric sender id has at most \(maximumAlphanumericLength)"
        }
        return nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    /// A scalar in quotes, or as `U+000A` when it is invisible.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        isVisible(scalar) ? "'\(scalar)'" : "U+" + hex4(scalar.value)
    }

    /// The id in single quotes, invisible characters written as `\u{A}` so the reason stays on one line.
    private static func quote(_ s: String) -> String {
        "'" + s.unicodeScalars.map { isVisible($0) ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined() + "'"
    }

    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate, .unassigned:
            scalar == " "
        default:
            true
        }
    }

    /// `value` as upper-case hexadecimal, at least four digits.
    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

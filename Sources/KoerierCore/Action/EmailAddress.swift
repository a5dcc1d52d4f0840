/// An email address checked for what could break an SMTP envelope or a header: no CR, LF, spaces or brackets.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Validates `raw`; the error text says what is wrong with it.
    public static func parse(_ raw: String) -> Result<EmailAddress, AddressError> {
        if raw.isEmpty { return .failure(AddressError(reason: "is empty")) }
        if raw.utf8.count > 254 { return .failure(AddressError(reason: "is longer than 254 characters")) }
        for scalar in raw.unicodeScalars {
            if scalar == "\r" || scalar == "\n" { return .failure(AddressError(reason: "contains a line break (CR/LF)")) }
            if scalar.value < 0x21 || scalar.value == 0x7F { return .failure(AddressError(reason: "contains a space or control character")) }
            if "<>()[]\\,;:\"".unicodeScalars.contains(scalar) { return .failure(AddressError(reason: "contains the character '\(scalar)'")) }
            if !scalar.isASCII {
                // An invisible or bidirectional character is named by its code point only, never copied into the reason.
                let shown = TextCheck.isRefused(scalar) ? "" : " '\(scalar)'"
                return .failure(AddressError(reason: "contains the non-ASCII character \(TextCheck.codePoint(scalar))\(shown)"))
            }
        }
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(AddressError(reason: "must contain exactly one '@'")) }
        let local = parts[0], domain = parts[1]
        if local.isEmpty || local.count > 64 { return .failure(AddressError(reason: "has an empty or too long part before '@'")) }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return .failure(AddressError(reason: "has a misplaced dot before '@'")) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 || labels.contains(where: { $0.isEmpty || $0.count > 63 || $0.hasPrefix("-") || $0.hasSuffix("-") })
            || !domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) {
            return .failure(AddressError(reason: "has an invalid domain '\(domain)'"))
        }
        return .success(EmailAddress(value: raw))
    }

    private init(value: String) { self.value = value }

    public var description: String { value }

    /// Why an address was refused.
    public struct AddressError: Error, Sendable, Equatable {
        public let reason: String
    }
}

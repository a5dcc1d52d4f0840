/// An exact amount of money in minor units (cents), parsed from a decimal string, never through `Double`.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The amount in cents; negative for credit notes.
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }

    /// Parses `"1234.56"`, `"1234.5"`, `"1234"` or `"-12.00"`: digits, an optional dot and at most two decimals.
    /// At most 12 digits before the dot, so sums over any valid action can never overflow.
    public init?(_ text: String) {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" { negative = true; rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 12, whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard parts.count == 1 || (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let units = Int64(whole) else { return nil }
        var fractionCents: Int64 = 0
        if !fraction.isEmpty, let value = Int64(fraction) { fractionCents = fraction.count == 1 ? value * 10 : value }
        let total = units * 100 + fractionCents
        self.cents = negative ? -total : total
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }
    public static let zero = Money(cents: 0)

    /// The canonical machine form, `"1234.56"`.
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Money(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an amount like \"1234.56\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Statutory extrajudicial collection costs (art. 6:96 BW; Besluit vergoeding voor buitengerechtelijke incassokosten, "WIK-staffel").
///
/// Computed exactly in integer arithmetic: every bracket contributes `cents × per-mille`, so the sum is the
/// exact amount in thousandths of a cent; that single total is then rounded half up to whole cents (rounding
/// happens once, on the total, never per bracket). The €40.00 minimum and the €6,775.00 maximum are applied
/// to the rounded total. A principal of zero or less (nothing owed, or a credit balance) gives €0.00: the
/// minimum only applies when something is actually owed. Amounts are excl. BTW; adding 21% BTW for creditors
/// who cannot reclaim it is the caller's decision.
public enum WIK {
    /// Brackets as (width in cents, rate in per-mille); the last bracket is open-ended.
    private static let brackets: [(width: Int64, perMille: Int64)] = [
        (2_500_00, 150),    // 15% of the first 2,500
        (2_500_00, 100),    // 10% of the next 2,500
        (5_000_00, 50),     // 5% of the next 5,000
        (190_000_00, 10),   // 1% of the next 190,000
        (Int64.max, 5),     // 0.5% of the rest
    ]
    private static let minimum: Int64 = 40_00
    private static let maximum: Int64 = 6_775_00
    /// Above this principal the maximum applies anyway (200,000 + 4,000 / 0.5% = 1,000,000); clamping to it avoids overflow.
    private static let capReachedAt: Int64 = 1_000_000_00

    /// The statutory collection costs on `principal`: the staffel, at least 40.00, at most 6,775.00; 0.00 when principal ≤ 0.
    public static func collectionCosts(principal: Money) -> Money {
        guard principal.cents > 0 else { return .zero }
        var remaining = min(principal.cents, capReachedAt)
        var milliCents: Int64 = 0
        for bracket in brackets where remaining > 0 {
            let inBracket = min(remaining, bracket.width)
            milliCents += inBracket * bracket.perMille
            remaining -= inBracket
        }
        let cents = (milliCents + 500) / 1000  // round half up (milliCents is never negative here)
        return Money(cents: min(max(cents, minimum), maximum))
    }
}

import Testing
import KoerierCore

@Suite("WIK collection costs")
struct WIKTests {
    @Test("statutory staffel", arguments: [
        // Required checks.
        ("125.00", "40.00"),       // 18.75 -> minimum
        ("266.66", "40.00"),       // 39.999 -> 40.00 (rounded), minimum anyway
        ("2500.00", "375.00"),     // 15% of 2,500
        ("5000.00", "625.00"),     // 375 + 250
        ("10000.00", "875.00"),    // 625 + 5% of 5,000
        ("23000.00", "1005.00"),   // 875 + 1% of 13,000
        ("200000.00", "2775.00"),  // 875 + 1% of 190,000
        ("1000000.00", "6775.00"), // 2,775 + 0.5% of 800,000 = 6,775: exactly the cap
        // Computed by hand.
        ("0.01", "40.00"),         // anything owed -> minimum
        ("266.67", "40.00"),       // 40.0005 -> 40.00
        ("266.69", "40.00"),       // 40.0035 -> 40.00
        ("266.70", "40.01"),       // 40.005 exactly -> half up -> 40.01
        ("1000.00", "150.00"),     // 15% of 1,000
        ("2500.01", "375.00"),     // 375 + 0.001 -> 375.00
        ("2500.05", "375.01"),     // 375 + 0.005 exactly -> half up -> 375.01
        ("3000.00", "425.00"),     // 375 + 10% of 500
        ("7500.00", "750.00"),     // 625 + 5% of 2,500
        ("10000.01", "875.00"),    // 875 + 0.0001
        ("12345.67", "898.46"),    // 875 + 1% of 2,345.67 = 898.4567
        ("600000.00", "4775.00"),  // 2,775 + 0.5% of 400,000
        ("999998.00", "6774.99"),  // 2,775 + 0.5% of 799,998 = 6,774.99
        ("999999.00", "6775.00"),  // 2,775 + 3,999.995 = 6,774.995 -> half up -> 6,775.00
        ("5000000.00", "6775.00"), // above the cap
    ])
    func staffel(principal: String, expected: String) throws {
        let money = try #require(Money(principal))
        #expect(WIK.collectionCosts(principal: money).description == expected)
    }

    @Test("nothing owed gives no costs", arguments: [Int64(0), -1, -125_00, Int64.min])
    func nothingOwed(cents: Int64) {
        #expect(WIK.collectionCosts(principal: Money(cents: cents)) == .zero)
    }

    @Test("huge principal does not overflow")
    func huge() {
        #expect(WIK.collectionCosts(principal: Money(cents: Int64.max)) == Money(cents: 6_775_00))
    }

    @Test("non-decreasing and within 40.00...6,775.00")
    func monotone() {
        var previous = Money.zero
        var cents: Int64 = 1
        while cents <= 1_200_000_00 {
            let costs = WIK.collectionCosts(principal: Money(cents: cents))
            #expect(costs >= previous, "costs fell at \(Money(cents: cents))")
            #expect(costs >= Money(cents: 40_00) && costs <= Money(cents: 6_775_00))
            previous = costs
            cents = cents * 3 / 2 + 7
        }
    }
}

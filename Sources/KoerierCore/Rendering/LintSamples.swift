import Foundation

/// Long, realistic sample actions for checking templates: long names, large amounts, a long payment link.
enum LintSamples {
    /// A sample that passes the letter rules for `stage` on the local day `today`: invoices not yet due for `vooraf`,
    /// paid for `bedankt`, overdue (one partly paid) otherwise, with instalment data where the stage prints it.
    static func action(channel: Action.Channel, stage: String, segment: String, tone: Action.Tone,
                       debtorType: Action.Debtor.Kind, variant: String?, today: CalendarDate = CalendarDate(year: 2026, month: 11, day: 23)) -> Action {
        let email = try? EmailAddress.parse("m.van.den.heuvel-de.jong@voorbeeldbedrijf.nl").get()
        let phone = try? PhoneNumber.parse("06-12345678")
        let shift = stage == "vooraf" ? 60 : 0
        var invoices = [
            Action.Invoice(number: "F2026-0012345", date: today.adding(days: shift - 70),
                           dueDate: today.adding(days: shift - 40), amount: Money(cents: 1_234_567), open: Money(cents: 1_234_567)),
            Action.Invoice(number: "F2026-0012399", date: today.adding(days: shift - 52),
                           dueDate: today.adding(days: shift - 22), amount: Money(cents: 98_765), open: Money(cents: 48_765)),
        ]
        if stage == "bedankt" {
            for index in invoices.indices { invoices[index].open = .zero }
        }
        var data: [String: JSONValue] = [:]
        if stage == "betalingsregeling" {
            // 12,833.32 in six: five of 2,138.89 and a last one of 2,138.87.
            data = ["aantal_termijnen": .number("6"), "termijnbedrag": .string("2138.89"), "laatste_termijnbedrag": .string("2138.87"),
                    "eerste_termijn": .string(today.adding(days: 14).description)]
        } else if stage == "termijnherinnering" {
            data = ["termijnbedrag": .string("2138.89"), "termijn_datum": .string(today.adding(days: -3).description),
                    "termijn_nummer": .number("2"), "aantal_termijnen": .number("6")]
        }
        return Action(
            id: "lint-sample-0001", channel: channel, stage: stage, segment: segment, tone: tone,
            notBefore: nil, expiresAt: nil,
            recipient: Action.Recipient(name: "Marieke van den Heuvel-de Jong", email: email, phone: phone),
            sender: Action.Sender(name: "Anne-Sophie Verbruggen-Ten Cate", email: email, phone: phone, title: "Accountmanager Zakelijke Klanten"),
            debtor: Action.Debtor(id: "D-000123456", name: debtorType == .business ? "Installatiebedrijf Van den Heuvel en Zonen B.V." : "Marieke van den Heuvel-de Jong",
                                  type: debtorType, contact: "Marieke van den Heuvel-de Jong", customerNumber: "KL-2026-004711"),
            invoices: invoices, currency: "EUR",
            payment: Action.Payment(url: "https://betalen.voorbeeld.nl/p/Xk29fLq8Zr2mN4", reference: "F2026-0012345", iban: nil),
            collectionCosts: nil, attachments: [], data: data, variant: variant, tags: [:]
        )
    }
}

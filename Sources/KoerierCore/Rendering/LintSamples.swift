import Foundation

/// Long, realistic sample actions for checking templates: long names, large amounts, a long payment link.
enum LintSamples {
    static func action(channel: Action.Channel, stage: String, segment: String, tone: Action.Tone,
                       debtorType: Action.Debtor.Kind, variant: String?) -> Action {
        let email = try? EmailAddress.parse("m.van.den.heuvel-de.jong@voorbeeldbedrijf.nl").get()
        let phone = try? PhoneNumber.parse("06-12345678")
        let invoices = [
            Action.Invoice(number: "F2026-0012345", date: CalendarDate(year: 2026, month: 9, day: 14),
                           dueDate: CalendarDate(year: 2026, month: 10, day: 14), amount: Money(cents: 1_234_567), open: Money(cents: 1_234_567)),
            Action.Invoice(number: "F2026-0012399", date: CalendarDate(year: 2026, month: 10, day: 2),
                           dueDate: CalendarDate(year: 2026, month: 11, day: 1), amount: Money(cents: 98_765), open: Money(cents: 48_765)),
        ]
        return Action(
            id: "lint-sample-0001", channel: channel, stage: stage, segment: segment, tone: tone,
            notBefore: nil, expiresAt: nil,
            recipient: Action.Recipient(name: "Marieke van den Heuvel-de Jong", email: email, phone: phone),
            sender: Action.Sender(name: "Anne-Sophie Verbruggen-Ten Cate", email: email, phone: phone, title: "Accountmanager Zakelijke Klanten"),
            debtor: Action.Debtor(id: "D-000123456", name: debtorType == .business ? "Installatiebedrijf Van den Heuvel en Zonen B.V." : "Marieke van den Heuvel-de Jong",
                                  type: debtorType, contact: "Marieke van den Heuvel-de Jong", customerNumber: "KL-2026-004711"),
            invoices: invoices, currency: "EUR",
            payment: Action.Payment(url: "https://betalen.voorbeeld.nl/p/Xk29fLq8Zr2mN4", reference: "F2026-0012345", iban: nil),
            collectionCosts: nil, attachments: [], data: [:], variant: variant, tags: [:]
        )
    }
}

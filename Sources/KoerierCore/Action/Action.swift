import Foundation

/// One message the dunning engine asked for: the validated content of an action file (CONTRACT section 2).
public struct Action: Sendable, Equatable {
    /// The delivery channel.
    public enum Channel: String, Sendable, CaseIterable { case email, sms }

    /// How a message is worded.
    public enum Tone: String, Sendable, CaseIterable { case vriendelijk, zakelijk, dringend, formeel }

    /// Who receives the message.
    public struct Recipient: Sendable, Equatable {
        public var name: String
        public var email: EmailAddress?
        public var phone: PhoneNumber?
    }

    /// The account manager the debtor knows.
    public struct Sender: Sendable, Equatable {
        public var name: String
        public var email: EmailAddress?
        public var phone: PhoneNumber?
        public var title: String?
    }

    /// The debtor whose invoices are open.
    public struct Debtor: Sendable, Equatable {
        public enum Kind: String, Sendable { case consumer, business }
        public var id: String
        public var name: String
        public var type: Kind
        public var contact: String?
        public var customerNumber: String?
    }

    /// One invoice and its open amount.
    public struct Invoice: Sendable, Equatable {
        public var number: String
        public var date: CalendarDate
        public var dueDate: CalendarDate
        public var amount: Money
        public var open: Money
    }

    /// How to pay.
    public struct Payment: Sendable, Equatable {
        public var url: String?
        public var reference: String?
        public var iban: String?
    }

    /// A file to attach, relative to the configured attachments root.
    public struct Attachment: Sendable, Equatable {
        public var path: String
        public var filename: String
    }

    /// The consumer 14-day letter (WIK) this action builds on (`statutory_notice`).
    public enum StatutoryNotice: Sendable, Equatable {
        /// One Koerier sent: its action id, looked up in the journal.
        case action(String)
        /// One sent another way: the day it was sent and how (`post`, `email`, ...).
        case external(date: CalendarDate, channel: String)
    }

    public var id: String
    public var channel: Channel
    public var stage: String
    public var segment: String
    public var tone: Tone
    public var notBefore: Date?
    public var expiresAt: Date?
    public var recipient: Recipient
    public var sender: Sender?
    public var debtor: Debtor
    public var invoices: [Invoice]
    public var currency: String
    public var payment: Payment?
    public var collectionCosts: Money?
    public var attachments: [Attachment]
    public var data: [String: JSONValue]
    public var variant: String?
    public var tags: [String: String]
    /// The 14-day letter that must have run its term before a consumer owes collection costs.
    public var statutoryNotice: StatutoryNotice? = nil

    /// The sum of the open amounts.
    public var totalOpen: Money { invoices.reduce(.zero) { $0 + $1.open } }
}

/// The rules a letter must pass before it is rendered: no void demand, no false statement, no costs the law
/// does not allow. Pure: the action, the local day, the settings and what the journal knows go in; the first
/// rule that refuses comes out, naming itself and the invoice.
public enum LetterRules {
    /// Why a letter may not go out.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// A stable key for the rule, e.g. `not-yet-due`.
        public var rule: String
        /// The invoice the rule refuses, if it concerns one.
        public var invoice: String?
        /// What is wrong and what to do, for the reason file.
        public var reason: String
        /// `rule not-yet-due, invoice F1: ...`.
        public var description: String { "rule \(rule)\(invoice.map { ", invoice \($0)" } ?? ""): \(reason)" }
    }

    /// Stages that demand payment of an invoice after its due date.
    public static let afterDueStages: Set<String> = [
        "herinnering", "aanmaning", "tweede-aanmaning", "ingebrekestelling", "veertiendagenbrief", "laatste-aanmaning", "overdracht",
    ]

    /// The Dutch VAT rate on collection costs for creditors who cannot deduct it, in per cent.
    public static let vatPercent: Int64 = 21

    /// The most a debtor may be charged on `principal`: the WIK staffel, plus 21 % btw when the creditor cannot deduct VAT.
    public static func statutoryCosts(principal: Money, includeVAT: Bool) -> Money {
        let costs = WIK.collectionCosts(principal: principal)
        return includeVAT ? costs + vat(on: costs) : costs
    }

    /// 21 % of `costs`, rounded half up to cents.
    public static func vat(on costs: Money) -> Money {
        Money(cents: (costs.cents * vatPercent + 50) / 100)
    }

    /// The contractual basis for business costs above the staffel (`data.kostenbeding`), if the action gives one.
    public static func costsBasis(_ action: Action) -> String? {
        guard case .string(let text)? = action.data["kostenbeding"] else { return nil }
        let trimmed = text.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The first rule `action` breaks on the local day `today`, or `nil` when the letter may go out.
    public static func refusal(
        for action: Action, today: CalendarDate, settings: LetterSettings, calendar: DutchCalendar,
        notices: any StatutoryNoticeRecords
    ) -> Refusal? {
        let total = action.totalOpen
        for invoice in action.invoices {
            let wrong = invoice.amount >= .zero ? invoice.open > invoice.amount : (invoice.open < invoice.amount || invoice.open > .zero)
            if wrong {
                return Refusal(rule: "open-exceeds-amount", invoice: invoice.number,
                               reason: "open \(invoice.open) is more than the invoice amount \(invoice.amount); a letter may not claim more than was invoiced")
            }
        }
        if let credit = action.invoices.first(where: { $0.amount < .zero || $0.open < .zero }) {
            // A letter lists every invoice as one the debtor has not paid; a credit note among them would print a
            // negative amount the debtor does not owe and make that sentence false.
            return Refusal(rule: "credit-note", invoice: credit.number,
                           reason: "amount \(credit.amount), open \(credit.open): a credit note or an overpaid invoice is not a debt; the engine should settle it against the invoices and send only what is owed")
        }
        if action.stage == "bedankt" {
            if total > .zero {
                let first = action.invoices.first { $0.open > .zero }
                return Refusal(rule: "thanks-while-open", invoice: first?.number,
                               reason: "a bedankt letter says the debt is paid, but \(total) is still open; send it when nothing is open")
            }
        } else if total <= .zero {
            return Refusal(rule: "nothing-open", invoice: nil,
                           reason: "the total open is \(total); stage \(action.stage) may only ask for an amount that is owed")
        }
        if action.stage == WIKRule.stage && action.debtor.type == .business {
            return Refusal(rule: "fourteen-day-letter-for-business", invoice: nil,
                           reason: "the 14-day letter (art. 6:96 lid 6 BW) is for consumers; its promise of a cost-free term would be false for a business; use ingebrekestelling")
        }
        if afterDueStages.contains(action.stage) {
            if let invoice = action.invoices.first(where: { $0.open > .zero && $0.dueDate >= today }) {
                return Refusal(rule: "not-yet-due", invoice: invoice.number,
                               reason: "stage \(action.stage) demands payment of an invoice that is due on \(invoice.dueDate) (today is \(today)): nothing is late yet; use vooraf, or send it after the due date")
            }
        } else if action.stage == "vooraf", let invoice = action.invoices.first(where: { $0.open > .zero && $0.dueDate < today }) {
            return Refusal(rule: "pre-due-but-overdue", invoice: invoice.number,
                           reason: "a vooraf notice for an invoice that was due on \(invoice.dueDate) (today is \(today)); use herinnering")
        }
        if InstalmentPlan.stages.contains(action.stage), let refusal = instalmentProblem(action, today: today) {
            return refusal
        }
        if action.channel == .sms, let phone = action.recipient.phone, phone.e164.hasPrefix("+31"), !phone.isDutchMobile {
            return Refusal(rule: "sms-not-mobile", invoice: nil,
                           reason: "recipient.phone \(phone.display) is a Dutch number that is not a mobile number (06-1 to 06-5, 06-8); an SMS would not arrive")
        }
        return costsProblem(action, today: today, settings: settings, calendar: calendar, notices: notices)
    }

    /// Instalment data: present, well formed, adding up to what is owed.
    static func instalmentProblem(_ action: Action, today: CalendarDate) -> Refusal? {
        let plan: InstalmentPlan
        switch InstalmentPlan.read(action.data, stage: action.stage) {
        case .failure(let refusal): return refusal
        case .success(let read): plan = read
        }
        let owed = action.totalOpen + (action.collectionCosts ?? .zero)
        if action.stage == "betalingsregeling" {
            if let total = plan.total, total != owed {
                return Refusal(rule: "instalments-do-not-add-up", invoice: nil,
                               reason: "\(plan.count ?? 0) instalments of \(plan.amount)\(plan.lastAmount.map { " (the last \($0))" } ?? "") add up to \(total), but \(owed) is owed; fix data.termijnbedrag or data.laatste_termijnbedrag")
            }
            if let first = plan.firstDue, first < today {
                return Refusal(rule: "instalment-data", invoice: nil, reason: "data.eerste_termijn \(first) is before today (\(today))")
            }
        } else if plan.amount > owed {
            return Refusal(rule: "instalments-do-not-add-up", invoice: nil,
                           reason: "the instalment \(plan.amount) is more than the \(owed) still open")
        }
        return nil
    }

    /// Collection costs: the WIK stages and cap for consumers, the 14-day letter's term, the staffel for businesses.
    static func costsProblem(
        _ action: Action, today: CalendarDate, settings: LetterSettings, calendar: DutchCalendar, notices: any StatutoryNoticeRecords
    ) -> Refusal? {
        if let problem = WIKRule.problem(action, includeVAT: settings.collectionCostsIncludeVAT) {
            return Refusal(rule: "wik", invoice: nil, reason: problem)
        }
        guard let costs = action.collectionCosts, costs > .zero else { return nil }
        let cap = statutoryCosts(principal: action.totalOpen, includeVAT: settings.collectionCostsIncludeVAT)
        switch action.debtor.type {
        case .business:
            if costs > cap && costsBasis(action) == nil {
                return Refusal(rule: "costs-above-staffel", invoice: nil,
                               reason: "collection_costs \(costs) exceed the staffel amount \(cap) on \(action.totalOpen); give the contractual basis in data.kostenbeding (the letter states it) or charge at most \(cap)")
            }
            return nil
        case .consumer:
            guard action.stage != WIKRule.stage else { return nil }
            return noticeProblem(action, today: today, calendar: calendar, notices: notices)
        }
    }

    /// A consumer owes costs only after a 14-day letter's term has passed for these invoices (art. 6:96 lid 6 BW).
    static func noticeProblem(_ action: Action, today: CalendarDate, calendar: DutchCalendar, notices: any StatutoryNoticeRecords) -> Refusal? {
        let delivered: CalendarDate
        switch action.statutoryNotice {
        case nil:
            return Refusal(rule: "costs-without-notice", invoice: nil,
                           reason: "collection_costs for a consumer need statutory_notice: the 14-day letter whose term has passed ({action} or {date, channel})")
        case .external(let date, let channel)?:
            // A letter by post is taken to arrive two days after it was sent; other channels the same day.
            delivered = channel == "post" || channel == "aangetekend" ? date.adding(days: 2) : date
        case .action(let id)?:
            guard let record = notices.notice(actionID: id) else {
                return Refusal(rule: "notice-not-found", invoice: nil,
                               reason: "statutory_notice.action \(id) was not sent by Koerier (not in its journal); give {date, channel} for a letter sent another way")
            }
            guard record.stage == WIKRule.stage, record.debtorID == action.debtor.id else {
                return Refusal(rule: "notice-not-a-14-day-letter", invoice: nil,
                               reason: "statutory_notice.action \(id) is a \(record.stage) to debtor \(record.debtorID), not the 14-day letter to \(action.debtor.id)")
            }
            if record.undelivered {
                return Refusal(rule: "notice-undelivered", invoice: nil,
                               reason: "statutory_notice.action \(id) was journalled as undelivered; the term never started")
            }
            if let missing = action.invoices.first(where: { $0.open > .zero && !record.invoiceNumbers.contains($0.number) }) {
                return Refusal(rule: "notice-does-not-cover-invoice", invoice: missing.number,
                               reason: "the 14-day letter \(id) did not cover this invoice, so no costs may be charged on it yet")
            }
            delivered = record.delivered ?? record.sent
        }
        // Fourteen days from the day after delivery; a term ending on a closed day runs on (art. 1 Atw).
        let lastDay = calendar.workingDay(onOrAfter: delivered.adding(days: 14))
        if today <= lastDay {
            return Refusal(rule: "notice-term-running", invoice: nil,
                           reason: "the 14-day letter was delivered on \(delivered); its term runs until \(lastDay), so costs may be charged from \(lastDay.adding(days: 1))")
        }
        return nil
    }
}

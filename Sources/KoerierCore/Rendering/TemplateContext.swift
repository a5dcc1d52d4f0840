import Foundation

/// Builds the variables a template sees (documented in docs/templates.md) from an action and the configuration.
/// Every amount and date is formatted here, in Dutch, so templates never compute.
public enum TemplateContext {
    /// The context for `action`, rendered on the local day `today`: an object, built once per action for all its parts.
    /// swift-mustache reads the same values through `anyValue`.
    public static func make(action: Action, configuration: Configuration, today: CalendarDate, variant: String?) -> TemplateValue {
        let currency = action.currency
        let company = configuration.company
        func amount(_ money: Money) -> String { DutchFormat.amount(money, currency: currency) }

        let invoices: [TemplateValue] = action.invoices.map { invoice in
            let overdue = DutchFormat.daysOverdue(due: invoice.dueDate, today: today)
            return .object([
                "number": .text(invoice.number),
                "date": .text(DutchFormat.longDate(invoice.date)),
                "date_short": .text(DutchFormat.shortDate(invoice.date)),
                "due_date": .text(DutchFormat.longDate(invoice.dueDate)),
                "due_date_short": .text(DutchFormat.shortDate(invoice.dueDate)),
                "amount": .text(amount(invoice.amount)),
                "open": .text(amount(invoice.open)),
                "days_overdue": .text(String(overdue)),
                "is_overdue": .flag(overdue > 0),
                "paid": .text(amount(invoice.amount - invoice.open)),
                "is_partial": .flag(invoice.open > .zero && invoice.open < invoice.amount),
            ])
        }
        let rows = action.invoices.map {
            InvoiceRow(number: $0.number, date: $0.date, dueDate: $0.dueDate, amount: $0.amount, open: $0.open)
        }
        let totalOpen = action.totalOpen
        let costs = effectiveCollectionCosts(action, includeVAT: configuration.letters.collectionCostsIncludeVAT)
        let oldest = action.invoices.min { $0.dueDate < $1.dueDate }
        let term = configuration.payTermDays(stage: action.stage)
        let payBy = DutchFormat.payBy(today: today, days: term, calendar: configuration.calendar)

        let defaults = configuration.defaultSender
        let senderName = action.sender?.name ?? defaults.name
        let senderTitle = action.sender?.title ?? (action.sender == nil ? defaults.title : nil)
        let senderPhone = action.sender?.phone?.display ?? (action.sender == nil ? defaults.phone : nil) ?? company.phone
        let senderEmail = action.sender?.email?.value ?? (action.sender == nil ? defaults.email : nil) ?? company.email

        let salutation = salutation(for: action.debtor.contact ?? action.recipient.name, friendly: action.tone == .vriendelijk,
                                    companyName: action.debtor.type == .business ? action.debtor.name : nil)

        let payment = TemplateValue.object(compacting: [
            "iban": .text(DutchFormat.iban(action.payment?.iban ?? company.iban)),
            "reference": .text(action.payment?.reference ?? (action.invoices.count == 1 ? action.invoices[0].number : action.debtor.customerNumber ?? action.debtor.id)),
            "url": action.payment?.url.map(TemplateValue.text),
        ])
        let letter = letterValues(action, configuration: configuration, today: today, costs: costs ?? .zero)

        let fields: [String: TemplateValue] = [
            "action": .object(["id": .text(action.id)]),
            "stage": .text(action.stage),
            "segment": .text(action.segment),
            "tone": .text(action.tone.rawValue),
            "variant": .text(variant ?? ""),
            "channel": .text(action.channel.rawValue),
            "recipient": .object(compacting: [
                "name": .text(action.recipient.name),
                "email": action.recipient.email.map { .text($0.value) },
                "phone": action.recipient.phone.map { .text($0.display) },
            ]),
            "debtor": .object(compacting: [
                "id": .text(action.debtor.id),
                "name": .text(action.debtor.name),
                "contact": action.debtor.contact.map(TemplateValue.text),
                "customer_number": action.debtor.customerNumber.map(TemplateValue.text),
                "is_consumer": .flag(action.debtor.type == .consumer),
                "is_business": .flag(action.debtor.type == .business),
            ]),
            "has_contact": .flag(action.debtor.contact != nil),
            "has_customer_number": .flag(action.debtor.customerNumber != nil),
            "has_payment_reference": .flag(action.payment?.reference != nil),
            "invoice_numbers": .text(action.invoices.map(\.number).joined(separator: ", ")),
            "salutation": .text(salutation),
            "sender": .object(compacting: [
                "name": .text(senderName),
                "title": senderTitle.map(TemplateValue.text),
                "email": .text(senderEmail),
                "phone": .text(senderPhone),
                "has_phone": .flag(!senderPhone.isEmpty),
                "has_title": .flag(!(senderTitle ?? "").isEmpty),
            ]),
            "company": .object(Self.company(configuration.company)),
            "invoices": .list(invoices),
            "invoice": invoices.first ?? .object([:]),
            "invoice_count": .text(String(invoices.count)),
            "single_invoice": .flag(invoices.count == 1),
            "multiple_invoices": .flag(invoices.count > 1),
            // Tables only where they can appear: an SMS never carries a table.
            "invoice_table_text": .text(action.channel == .email ? InvoiceTable.text(rows, currency: currency) : ""),
            "invoice_table_html": .text(action.channel == .email ? InvoiceTable.html(rows, currency: currency) : ""),
            "total_open": .text(amount(totalOpen)),
            "collection_costs": .text(amount(costs ?? .zero)),
            "has_collection_costs": .flag((costs ?? .zero) > .zero),
            "total_due": .text(amount(totalOpen + (costs ?? .zero))),
            "wik_costs": .text(amount(WIK.collectionCosts(principal: totalOpen))),
            "payment": payment,
            "has_payment_url": .flag(action.payment?.url != nil),
            "pay_by": .text(DutchFormat.longDate(payBy)),
            "pay_by_short": .text(DutchFormat.shortDate(payBy)),
            "pay_term_days": .text(String(term)),
            "oldest_due_date": .text(oldest.map { DutchFormat.longDate($0.dueDate) } ?? ""),
            "max_days_overdue": .text(String(oldest.map { DutchFormat.daysOverdue(due: $0.dueDate, today: today) } ?? 0)),
            "today": .text(DutchFormat.longDate(today)),
            "today_short": .text(DutchFormat.shortDate(today)),
            "data": .object(action.data.mapValues(\.templateValue)),
        ]
        return .object(letter.merging(fields) { letterValue, _ in letterValue })
    }

    /// Stages from which a consumer's letter points to free debt help (Geldfit).
    public static let debtHelpStages: Set<String> = [
        "aanmaning", "tweede-aanmaning", "ingebrekestelling", "veertiendagenbrief", "laatste-aanmaning", "overdracht",
    ]

    /// The variables of the letter rules: the "Betreft" line, the statement block, instalments, cost basis and VAT,
    /// debt help. Every amount and date is formatted here.
    static func letterValues(_ action: Action, configuration: Configuration, today: CalendarDate, costs: Money) -> [String: TemplateValue] {
        func amount(_ money: Money) -> String { DutchFormat.amount(money, currency: action.currency) }
        let invoiced = action.invoices.reduce(Money.zero) { $0 + $1.amount }
        let partial = action.invoices.contains { $0.open > .zero && $0.open < $0.amount }
        var interest: Money?
        if case .string(let text)? = action.data["rente"], let value = Money(text), value > .zero { interest = value }
        let includeVAT = configuration.letters.collectionCostsIncludeVAT && costs > .zero
        let costsExVAT = includeVAT ? Money(cents: (costs.cents * 100 + 60) / 121) : costs
        var values: [String: TemplateValue] = [
            "betreft": .text(betreft(action)),
            "total_amount": .text(amount(invoiced)),
            "total_paid": .text(amount(invoiced - action.totalOpen)),
            "has_partial_payments": .flag(partial),
            "show_statement": .flag(partial || costs > .zero || interest != nil),
            "interest": .text(amount(interest ?? .zero)),
            "has_interest": .flag(interest != nil),
            "total_due": .text(amount(action.totalOpen + costs + (interest ?? .zero))),
            "costs_include_vat": .flag(includeVAT),
            "collection_costs_vat": .text(amount(costs - costsExVAT)),
            "show_debt_help": .flag(action.debtor.type == .consumer && debtHelpStages.contains(action.stage)),
            "has_costs_basis": .flag(LetterRules.costsBasis(action) != nil && action.debtor.type == .business),
        ]
        if let basis = LetterRules.costsBasis(action) { values["costs_basis"] = .text(basis) }
        if InstalmentPlan.stages.contains(action.stage), case .success(let plan) = InstalmentPlan.read(action.data, stage: action.stage) {
            values["has_instalment"] = .flag(true)
            values["instalment"] = .object(compacting: [
                "amount": .text(amount(plan.amount)),
                "last_amount": plan.lastAmount.map { .text(amount($0)) },
                "has_last_amount": .flag(plan.lastAmount != nil),
                "count": plan.count.map { .text(String($0)) },
                "first_due": plan.firstDue.map { .text(DutchFormat.longDate($0)) },
                "due": plan.due.map { .text(DutchFormat.longDate($0)) },
                "is_overdue": .flag(plan.due.map { $0 < today } ?? false),
                "number": plan.number.map { .text(String($0)) },
                "has_number": .flag(plan.number != nil),
            ])
        } else {
            values["has_instalment"] = .flag(false)
        }
        return values
    }

    /// "Klantnummer K-10042, factuur F2026-0815" / "facturen F1, F2 en F3"; more than five: the first three and a count.
    static func betreft(_ action: Action) -> String {
        let numbers = action.invoices.map(\.number)
        let list: String
        switch numbers.count {
        case 1: list = "factuur \(numbers[0])"
        case 2...5: list = "facturen \(numbers.dropLast().joined(separator: ", ")) en \(numbers[numbers.count - 1])"
        default: list = "facturen \(numbers.prefix(3).joined(separator: ", ")) en \(numbers.count - 3) andere (zie het overzicht)"
        }
        guard let customer = action.debtor.customerNumber else { return list.prefix(1).uppercased() + list.dropFirst() }
        return "Klantnummer \(customer), \(list)"
    }

    /// The opening line: `Geachte heer Jansen,` / `Beste meneer Jansen,` from a contact such as "de heer P. Jansen",
    /// `Geachte mevrouw De Vries,` (initials dropped, the particle capitalised after a title), the full name
    /// (`Geachte Joëlle de Vries,`) when no title is given, and `Geachte heer, mevrouw,` for a company name.
    static func salutation(for addressee: String, friendly: Bool, companyName: String? = nil) -> String {
        let name = withoutTitles(addressee.trimmingSpaces)
        if name.isEmpty || name == companyName || isDepartment(name) { return "Geachte heer, mevrouw," }
        let lower = name.lowercased()
        for (prefixes, formal, informal) in [(["de heer ", "dhr. ", "heer ", "meneer "], "heer", "meneer"),
                                             (["mevrouw ", "mevr. ", "mw. "], "mevrouw", "mevrouw")] {
            guard let prefix = prefixes.first(where: { lower.hasPrefix($0) }) else { continue }
            let surname = surnameAfterTitle(String(name.dropFirst(prefix.count)))
            return friendly ? "Beste \(informal) \(surname)," : "Geachte \(formal) \(surname),"
        }
        return "\(friendly ? "Beste" : "Geachte") \(name),"
    }

    /// Academic and professional titles, dropped from a salutation ("mevrouw dr. J.M. de Vries" -> "mevrouw De Vries").
    static let titles: Set<String> = ["dr.", "drs.", "mr.", "ir.", "ing.", "prof.", "bc.", "ds.", "mgr.", "dr", "drs", "mr", "ir", "ing", "prof", "mba", "msc", "bsc", "llm", "phd"]

    /// Words that name a department or a role rather than a person: such a contact gets "Geachte heer, mevrouw,".
    static let departmentWords: Set<String> = ["afdeling", "administratie", "crediteuren", "crediteurenadministratie", "boekhouding",
                                               "finance", "financiën", "financiele", "financiële", "debiteuren", "accounts", "t.a.v.", "tav", "team", "backoffice", "inkoop", "facturatie"]

    /// The name without titles (`dr.`, `mr.`, `ing.`, post-nominals such as `MSc`), separators tidied.
    static func withoutTitles(_ name: String) -> String {
        let kept = name.split(separator: " ").filter { !titles.contains(trimmed(Substring($0.lowercased()), of: [","])) }
        return trimmed(Substring(kept.joined(separator: " ")), of: [",", " "])
    }

    /// `text` without the scalars in `edges` at either end (what Foundation's `trimmingCharacters(in:)` does, without
    /// building a character set for each word).
    static func trimmed(_ text: Substring, of edges: Set<Unicode.Scalar>) -> String {
        var scalars = text.unicodeScalars[...]
        while let first = scalars.first, edges.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, edges.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }

    /// Whether `name` names a department ("Afdeling Crediteuren", "Crediteurenadministratie").
    static func isDepartment(_ name: String) -> Bool {
        name.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "/" }).contains { departmentWords.contains(String($0)) }
    }

    /// "P.J. de Vries" -> "De Vries": initials go, and the first word is capitalised (Dutch particles are
    /// written with a capital when no first name or initials precede them).
    static func surnameAfterTitle(_ text: String) -> String {
        var words = text.split(separator: " ").map(String.init)
        while words.count > 1, let first = words.first, first.hasSuffix("."), first.count <= 6, first.first?.isUppercase == true {
            words.removeFirst()
        }
        guard let first = words.first else { return text }
        words[0] = first.prefix(1).uppercased() + first.dropFirst()
        return words.joined(separator: " ")
    }

    /// The company's identity as templates see it (`company.*`).
    static func company(_ company: Configuration.CompanySettings) -> [String: TemplateValue] {
        [
            "name": .text(company.name),
            "trade_name": .text(company.tradeName),
            "kvk": .text(company.kvk),
            "vat": .text(company.vat),
            "iban": .text(company.iban),
            "bic": .text(company.bic),
            "address_line": .text(company.addressLine),
            "postcode_city": .text(company.postcodeCity),
            "phone": .text(company.phone),
            "email": .text(company.email),
            "website": .text(company.website),
            "complaints": .text(company.complaints),
        ]
    }

    /// The collection costs a message states: the action's own, or for a consumer 14-day letter the WIK amount.
    public static func effectiveCollectionCosts(_ action: Action, includeVAT: Bool = false) -> Money? {
        if let costs = action.collectionCosts { return costs }
        if WIKRule.applies(to: action) { return LetterRules.statutoryCosts(principal: action.totalOpen, includeVAT: includeVAT) }
        return nil
    }

    /// Every variable name a template may use, for `koerier check` (dotted paths; `data.*` is free).
    public static let knownVariables: Set<String> = [
        "action.id", "stage", "segment", "tone", "variant", "channel",
        "recipient.name", "recipient.email", "recipient.phone",
        "debtor.id", "debtor.name", "debtor.contact", "debtor.customer_number", "debtor.is_consumer", "debtor.is_business",
        "salutation",
        "sender.name", "sender.title", "sender.email", "sender.phone", "sender.has_phone", "sender.has_title",
        "company.name", "company.trade_name", "company.kvk", "company.vat", "company.iban", "company.bic",
        "company.address_line", "company.postcode_city", "company.phone", "company.email", "company.website", "company.complaints",
        "invoices", "number", "date", "date_short", "due_date", "due_date_short", "amount", "open", "days_overdue", "is_overdue",
        "invoice", "invoice.number", "invoice.date", "invoice.date_short", "invoice.due_date", "invoice.due_date_short",
        "invoice.amount", "invoice.open", "invoice.days_overdue", "invoice.is_overdue",
        "invoice_count", "single_invoice", "multiple_invoices", "invoice_table_text", "invoice_table_html",
        "total_open", "collection_costs", "has_collection_costs", "total_due", "wik_costs",
        "payment", "payment.url", "payment.reference", "payment.iban", "has_payment_url",
        "pay_by", "pay_by_short", "pay_term_days", "oldest_due_date", "max_days_overdue", "today", "today_short",
        "debtor", "sender", "company", "recipient", ".",
        "has_contact", "has_customer_number", "has_payment_reference", "invoice_numbers",
        "paid", "is_partial", "invoice.paid", "invoice.is_partial",
        "betreft", "total_amount", "total_paid", "has_partial_payments", "show_statement", "interest", "has_interest",
        "costs_include_vat", "collection_costs_vat", "show_debt_help", "has_costs_basis", "costs_basis",
        "has_instalment", "instalment", "instalment.amount", "instalment.last_amount", "instalment.has_last_amount",
        "instalment.count", "instalment.first_due", "instalment.due", "instalment.is_overdue", "instalment.number", "instalment.has_number",
    ]
}
